-- AlterTable
ALTER TABLE "WorkflowVersion" ADD COLUMN     "actingUserId" UUID;
