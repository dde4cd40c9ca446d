-- The claim a step's run was held back under (WorkflowStepRun.heldClaim, runs/admission.ts): a wake takes a row for a
-- held one only while no claim has come since, whatever the queue's lease. Nullable, no rewrite: a row held before the
-- upgrade is not woken early by a wake, only at its hold's fallback (10 s).

-- AlterTable
ALTER TABLE "WorkflowStepRun" ADD COLUMN     "heldClaim" INTEGER;
