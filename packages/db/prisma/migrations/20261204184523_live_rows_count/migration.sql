-- The live rows of a workspace (a list's totalCount skips the trash) from a small index of its own: Q1's count of
-- 10,000 customers read 139 pages of the smallest index implying "deletedAt" IS NULL, this one 11 (0.73 -> 0.46 ms of
-- backend CPU; docs/performance.md, issue 14 round 6). Declared in the schema (preview feature partialIndexes).
-- CreateIndex
CREATE INDEX "Customer_live_workspaceId_idx" ON "Customer"("workspaceId") WHERE ("deletedAt" IS NULL);

-- CreateIndex
CREATE INDEX "Deal_live_workspaceId_idx" ON "Deal"("workspaceId") WHERE ("deletedAt" IS NULL);
