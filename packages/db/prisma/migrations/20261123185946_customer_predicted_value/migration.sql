-- The DESC indexes are NULLS LAST (edited by hand: Prisma cannot say it), matching the list's ORDER BY … DESC NULLS LAST, id.
-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "predictedLifetimeValue" DECIMAL(14,2),
ADD COLUMN     "probabilityAlive" DOUBLE PRECISION;

-- CreateIndex
CREATE INDEX "Customer_workspaceId_predictedLifetimeValue_id_idx" ON "Customer"("workspaceId", "predictedLifetimeValue", "id");

-- CreateIndex
CREATE INDEX "Customer_workspaceId_predictedLifetimeValue_desc_idx" ON "Customer"("workspaceId", "predictedLifetimeValue" DESC NULLS LAST, "id");

-- CreateIndex
CREATE INDEX "Customer_workspaceId_probabilityAlive_id_idx" ON "Customer"("workspaceId", "probabilityAlive", "id");

-- CreateIndex
CREATE INDEX "Customer_workspaceId_probabilityAlive_desc_idx" ON "Customer"("workspaceId", "probabilityAlive" DESC NULLS LAST, "id");
