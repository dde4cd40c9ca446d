-- AlterTable
ALTER TABLE "Competitor" ADD COLUMN     "deleteReason" TEXT,
ADD COLUMN     "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "deletedBy" TEXT,
ADD COLUMN     "trashedWithId" UUID;

-- AlterTable
ALTER TABLE "CompetitorFeedback" ADD COLUMN     "deleteReason" TEXT,
ADD COLUMN     "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "deletedBy" TEXT,
ADD COLUMN     "trashedWithId" UUID;

-- CreateIndex
CREATE INDEX "Competitor_workspaceId_deletedAt_idx" ON "Competitor"("workspaceId", "deletedAt");
