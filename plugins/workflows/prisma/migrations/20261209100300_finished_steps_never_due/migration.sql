-- A finished step is never due (docs/plugins/workflows.md, "Durable"): the queue's claim takes rows by `dueAt` alone
-- (the SDK's, any queue's), and since `dueAt` defaults to the database's time (20261208100500_due_by_database_clock) a
-- finished row written without one (a raw INSERT, a code path that forgets it) was due at once and claimed, leased and
-- read again and again. The plugin's writes already clear it (completeStep, failStep, cancelRuns); now the database
-- refuses a finished row with a due time, so such a write fails where it is made instead of feeding the claimer.

-- Rows that break it already (none should): finished, so nothing is left to do for them.
UPDATE "WorkflowStepRun" SET "dueAt" = NULL
WHERE "dueAt" IS NOT NULL AND status IN ('SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED');

-- The statuses are runs/claimed-state.ts' FINISHED_STEP (a test compares them).
ALTER TABLE "WorkflowStepRun" ADD CONSTRAINT "WorkflowStepRun_finished_never_due"
  CHECK (status NOT IN ('SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED') OR "dueAt" IS NULL);
