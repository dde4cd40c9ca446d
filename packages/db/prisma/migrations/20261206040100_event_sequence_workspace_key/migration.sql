-- The event counter's foreign key to its workspace (event_sequence_table made the table without it). "Workspace" is
-- locked first: this waits for writers that changed a workspace row (settings) to commit, which they can, since their
-- commit now numbers its events in "EventSequence", not in "Workspace"; then the counter's table, whose writers need
-- nothing held here.
LOCK TABLE "Workspace" IN SHARE ROW EXCLUSIVE MODE;

-- AddForeignKey
ALTER TABLE "EventSequence" ADD CONSTRAINT "EventSequence_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
