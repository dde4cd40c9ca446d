-- AlterTable
ALTER TABLE "WorkflowVersion" ADD COLUMN     "actingScopes" TEXT[] DEFAULT ARRAY[]::TEXT[];
