-- AlterTable
ALTER TABLE "WorkflowStepRun" ADD COLUMN     "returns" INTEGER NOT NULL DEFAULT 0;
