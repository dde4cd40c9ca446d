-- CreateEnum
CREATE TYPE "ImportStatus" AS ENUM ('RUNNING', 'DONE', 'FAILED');

-- AlterTable
ALTER TABLE "Deal" ADD COLUMN     "externalRef" TEXT;

-- CreateTable
CREATE TABLE "ImportJob" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "object" TEXT NOT NULL,
    "upsertKey" TEXT NOT NULL,
    "fileHash" TEXT,
    "fileName" TEXT,
    "status" "ImportStatus" NOT NULL DEFAULT 'RUNNING',
    "committedLine" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "refused" INTEGER NOT NULL DEFAULT 0,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ImportJob_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ImportJob_workspaceId_object_fileHash_idx" ON "ImportJob"("workspaceId", "object", "fileHash");

-- CreateIndex
CREATE UNIQUE INDEX "Deal_workspaceId_externalRef_key" ON "Deal"("workspaceId", "externalRef");
