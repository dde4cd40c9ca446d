-- DropIndex
DROP INDEX "Activity_customerId_occurredAt_id_idx";

-- DropIndex
DROP INDEX "Activity_workspaceId_occurredAt_id_idx";

-- DropIndex
DROP INDEX "Order_customerId_orderedAt_id_idx";

-- CreateIndex
CREATE INDEX "Activity_customerId_occurredAt_id_idx" ON "Activity"("customerId", "occurredAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Activity_workspaceId_occurredAt_id_idx" ON "Activity"("workspaceId", "occurredAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Order_customerId_orderedAt_id_idx" ON "Order"("customerId", "orderedAt" DESC, "id" DESC);
