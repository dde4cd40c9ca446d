-- An erasure's scrub is bounded by time on the database's clock, not only by run id (docs/plugins/workflows.md,
-- "Privacy"): a run's insertedAt (the clock when its row was written) against the erasure's erasedAt (the clock once it
-- held the run starts' lock). An id bound alone was above every new run where old random v4 ids remain, and missed a
-- run committing alongside the erasure with a higher id.
-- Both columns nullable, their default set after they are added: no rewrite of the history (a volatile default in ADD
-- COLUMN would write every row). Runs from before keep NULL: written before any erasure to come, so always searched.
-- Erasures under way keep NULL: bounded by their run id as before.

-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN "insertedAt" TIMESTAMPTZ(6);
ALTER TABLE "WorkflowRun" ALTER COLUMN "insertedAt" SET DEFAULT clock_timestamp();

-- AlterTable
ALTER TABLE "WorkflowErasure" ADD COLUMN "erasedAt" TIMESTAMPTZ(6);
ALTER TABLE "WorkflowErasure" ALTER COLUMN "erasedAt" SET DEFAULT clock_timestamp();
