-- CreateTable
CREATE TABLE "CustomObjectDefinition" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "pluralName" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "description" TEXT,
    "archivedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CustomObjectDefinition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomRecord" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "objectId" UUID NOT NULL,
    "customFields" JSONB NOT NULL DEFAULT '{}',
    "ownerId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),
    "deletedBy" TEXT,
    "deleteReason" TEXT,

    CONSTRAINT "CustomRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CustomObjectDefinition_workspaceId_name_key" ON "CustomObjectDefinition"("workspaceId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "CustomObjectDefinition_workspaceId_pluralName_key" ON "CustomObjectDefinition"("workspaceId", "pluralName");

-- CreateIndex
CREATE INDEX "CustomRecord_workspaceId_objectId_deletedAt_createdAt_idx" ON "CustomRecord"("workspaceId", "objectId", "deletedAt", "createdAt");

-- AddForeignKey
ALTER TABLE "CustomObjectDefinition" ADD CONSTRAINT "CustomObjectDefinition_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomRecord" ADD CONSTRAINT "CustomRecord_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomRecord" ADD CONSTRAINT "CustomRecord_objectId_fkey" FOREIGN KEY ("objectId") REFERENCES "CustomObjectDefinition"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomRecord" ADD CONSTRAINT "CustomRecord_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
