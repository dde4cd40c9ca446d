-- CreateIndex
CREATE INDEX "WorkflowRun_workspaceId_finishedAt_idx" ON "WorkflowRun"("workspaceId", "finishedAt");
