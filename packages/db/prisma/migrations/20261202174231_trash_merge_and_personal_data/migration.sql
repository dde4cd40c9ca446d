-- AlterTable
ALTER TABLE "Activity" ADD COLUMN     "deleteReason" TEXT,
ADD COLUMN     "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "deletedBy" TEXT,
ADD COLUMN     "trashedWithId" UUID;

-- AlterTable
ALTER TABLE "Company" ADD COLUMN     "deleteReason" TEXT,
ADD COLUMN     "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "deletedBy" TEXT,
ADD COLUMN     "trashedWithId" UUID;

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "deleteReason" TEXT,
ADD COLUMN     "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "deletedBy" TEXT,
ADD COLUMN     "phoneE164" TEXT,
ADD COLUMN     "trashedWithId" UUID;

-- AlterTable
ALTER TABLE "Deal" ADD COLUMN     "deleteReason" TEXT,
ADD COLUMN     "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "deletedBy" TEXT,
ADD COLUMN     "trashedWithId" UUID;

-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "deleteReason" TEXT,
ADD COLUMN     "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "deletedBy" TEXT,
ADD COLUMN     "trashedWithId" UUID;

-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "deleteReason" TEXT,
ADD COLUMN     "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "deletedBy" TEXT,
ADD COLUMN     "trashedWithId" UUID;

-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "deleteReason" TEXT,
ADD COLUMN     "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "deletedBy" TEXT,
ADD COLUMN     "trashedWithId" UUID;

-- CreateTable
CREATE TABLE "RecordMerge" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "objectType" TEXT NOT NULL,
    "mergedId" UUID NOT NULL,
    "survivorId" UUID NOT NULL,
    "actor" TEXT NOT NULL,
    "mergedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RecordMerge_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RecordMerge_workspaceId_survivorId_idx" ON "RecordMerge"("workspaceId", "survivorId");

-- CreateIndex
CREATE UNIQUE INDEX "RecordMerge_workspaceId_mergedId_key" ON "RecordMerge"("workspaceId", "mergedId");

-- CreateIndex
CREATE INDEX "Activity_workspaceId_deletedAt_idx" ON "Activity"("workspaceId", "deletedAt");

-- CreateIndex
CREATE INDEX "Company_workspaceId_deletedAt_idx" ON "Company"("workspaceId", "deletedAt");

-- CreateIndex
CREATE INDEX "Customer_workspaceId_deletedAt_idx" ON "Customer"("workspaceId", "deletedAt");

-- CreateIndex
CREATE INDEX "Customer_workspaceId_phoneE164_idx" ON "Customer"("workspaceId", "phoneE164");

-- CreateIndex
CREATE INDEX "Deal_workspaceId_deletedAt_idx" ON "Deal"("workspaceId", "deletedAt");

-- CreateIndex
CREATE INDEX "Product_workspaceId_deletedAt_idx" ON "Product"("workspaceId", "deletedAt");

-- CreateIndex
CREATE INDEX "Task_workspaceId_deletedAt_idx" ON "Task"("workspaceId", "deletedAt");

-- CreateIndex
CREATE INDEX "Ticket_workspaceId_deletedAt_idx" ON "Ticket"("workspaceId", "deletedAt");

-- Backfill: numbers already written in international form ("+44 20 ..."), digits only; the others are normalised
-- (libphonenumber-js) the next time the customer is written.
UPDATE "Customer" SET "phoneE164" = '+' || regexp_replace(phone, '\D', '', 'g') WHERE phone LIKE '+%';
