-- A run's start as an event `seq` (WorkflowRun.startSeq): a `waitForEvent`'s first look counts the subject's events
-- after it, instead of walking them newest first down to the first one whose `occurredAt` (the app's clock, set before
-- its commit) is older than the run's `startedAt` — a long command's event, early by its clock but committed late
-- (a high seq), stopped that walk before it reached the awaited event.
--
-- Which seq: events are numbered at COMMIT (core's deferred trigger `event_numbered_at_commit`), one commit after the
-- other under the lock of the workspace's EventSequence row, so seq order is commit order, and a snapshot that sees
-- an event numbered n sees every one numbered below n (the commit that numbered n waited for the one before it to
-- end). So the newest seq S of the workspace's events that the run's insert sees splits them exactly: seq <= S
-- committed before it; seq > S committed after it (or was committing, not yet visible). An event written before but
-- committed after (that long command) gets a seq > S and counts; none from before counts. Taken in the statement that
-- inserts the run (this trigger, by the ("workspaceId", seq) index), not a read of its own: the subscriber creates
-- runs (200 a second in the benchmark) in the statement it sends with its COMMIT.

-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "startSeq" BIGINT NOT NULL DEFAULT 0;

-- Runs under way: the seq of the workspace's last event that occurred before the run started (the bound their first
-- look had, by the occurredAt index). Finished runs keep 0: no look reads it again (a rerun is a new run).
UPDATE "WorkflowRun" r SET "startSeq" = coalesce((
    SELECT e.seq FROM "Event" e
    WHERE e."workspaceId" = r."workspaceId" AND e."occurredAt" < r."startedAt" AND e.seq IS NOT NULL
    ORDER BY e."occurredAt" DESC LIMIT 1), 0)
  WHERE r.status IN ('QUEUED', 'RUNNING', 'WAITING');

CREATE OR REPLACE FUNCTION workflow_run_start_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."startSeq" := coalesce((SELECT max(seq) FROM "Event" WHERE "workspaceId" = NEW."workspaceId"), 0);
  RETURN NEW;
END
$$;

CREATE TRIGGER "WorkflowRun_startSeq" BEFORE INSERT ON "WorkflowRun" FOR EACH ROW EXECUTE FUNCTION workflow_run_start_seq();
