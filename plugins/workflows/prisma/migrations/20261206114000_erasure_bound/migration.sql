-- An erasure's scrub stops at the workspace's highest run id when it was asked (WorkflowErasure.untilRunId): uuid7 run
-- ids keep growing, so a busy workspace's new runs kept it going, and its needles (an email in clear) stayed.

-- AlterTable
ALTER TABLE "WorkflowErasure" ADD COLUMN     "untilRunId" UUID;

-- Erasures under way: bounded by the runs there are now.
UPDATE "WorkflowErasure" e SET "untilRunId" = (SELECT r.id FROM "WorkflowRun" r WHERE r."workspaceId" = e."workspaceId" ORDER BY r.id DESC LIMIT 1);

-- CreateIndex
CREATE INDEX "WorkflowRun_workspaceId_id_idx" ON "WorkflowRun"("workspaceId", "id");
