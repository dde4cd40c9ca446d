-- CreateEnum
CREATE TYPE "WorkflowRunHold" AS ENUM ('CONCURRENCY', 'RATE_LIMIT');

-- AlterTable
ALTER TABLE "Workflow" ADD COLUMN     "scanCursor" JSONB,
ADD COLUMN     "scannedUntil" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "admittedAt" TIMESTAMPTZ(3),
ADD COLUMN     "heldBack" "WorkflowRunHold";

-- AlterTable
ALTER TABLE "WorkflowStepRun" ADD COLUMN     "seq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "waitKey" TEXT;

-- CreateIndex
CREATE INDEX "WorkflowRun_workspaceId_admittedAt_idx" ON "WorkflowRun"("workspaceId", "admittedAt");

-- CreateIndex
CREATE INDEX "WorkflowStepRun_workspaceId_waitKey_idx" ON "WorkflowStepRun"("workspaceId", "waitKey");
