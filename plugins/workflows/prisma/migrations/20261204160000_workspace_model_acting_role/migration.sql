-- AlterTable
ALTER TABLE "WorkflowVersion" ADD COLUMN     "actingRole" "Role" NOT NULL DEFAULT 'ADMIN',
ADD COLUMN     "actingRoleId" UUID,
ADD COLUMN     "workspaceModel" BOOLEAN NOT NULL DEFAULT false;
