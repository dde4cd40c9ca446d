-- An erasure's row outlives its scrub for a while (docs/plugins/workflows.md, "Privacy"): events delivered after the
-- erasure but recorded before it (queued in a subscriber's lane, retried in memory) are checked against it, so a run
-- or a wait's output does not take the person's data from the event as it was delivered. `scrubbedAt`: when the scrub
-- ended (null: under way); the row is deleted once its keep time is over. Nullable, no default: no rewrite.

-- AlterTable
ALTER TABLE "WorkflowErasure" ADD COLUMN "scrubbedAt" TIMESTAMPTZ(3);
