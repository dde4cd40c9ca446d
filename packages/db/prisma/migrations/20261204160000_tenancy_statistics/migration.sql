-- Statistics that tell PostgreSQL a child row's workspace follows from its parent key (packages/graph/src/engine/
-- visible-rows.ts, tenancyStatisticsSql: one per to-many relation of the core declarations; a test holds this file
-- equal to them). Every nested read filters the child table by workspace too; without them a prepared statement's
-- generic plan takes that condition for one workspace's share of the rows on top of the parent key, expects a
-- customer's last 5 of ~10 activities to be 5 rows or fewer, and sorts them all instead of walking the index and
-- stopping after 5 (docs/performance.md, issue 14 round 5).
CREATE STATISTICS "LifecycleChange_customerId_workspace_stats" (dependencies) ON "customerId", "workspaceId" FROM "LifecycleChange";
CREATE STATISTICS "Activity_customerId_workspace_stats" (dependencies) ON "customerId", "workspaceId" FROM "Activity";
CREATE STATISTICS "Order_customerId_workspace_stats" (dependencies) ON "customerId", "workspaceId" FROM "Order";
CREATE STATISTICS "Deal_customerId_workspace_stats" (dependencies) ON "customerId", "workspaceId" FROM "Deal";
CREATE STATISTICS "Ticket_customerId_workspace_stats" (dependencies) ON "customerId", "workspaceId" FROM "Ticket";
CREATE STATISTICS "Task_customerId_workspace_stats" (dependencies) ON "customerId", "workspaceId" FROM "Task";
CREATE STATISTICS "SurveyResponse_customerId_workspace_stats" (dependencies) ON "customerId", "workspaceId" FROM "SurveyResponse";
CREATE STATISTICS "CampaignResponse_customerId_workspace_stats" (dependencies) ON "customerId", "workspaceId" FROM "CampaignResponse";
CREATE STATISTICS "Customer_companyId_workspace_stats" (dependencies) ON "companyId", "workspaceId" FROM "Customer";
CREATE STATISTICS "Deal_companyId_workspace_stats" (dependencies) ON "companyId", "workspaceId" FROM "Deal";
CREATE STATISTICS "Stage_pipelineId_workspace_stats" (dependencies) ON "pipelineId", "workspaceId" FROM "Stage";
CREATE STATISTICS "Deal_pipelineId_workspace_stats" (dependencies) ON "pipelineId", "workspaceId" FROM "Deal";
CREATE STATISTICS "Deal_stageId_workspace_stats" (dependencies) ON "stageId", "workspaceId" FROM "Deal";
CREATE STATISTICS "Activity_dealId_workspace_stats" (dependencies) ON "dealId", "workspaceId" FROM "Activity";
CREATE STATISTICS "Task_dealId_workspace_stats" (dependencies) ON "dealId", "workspaceId" FROM "Task";
CREATE STATISTICS "OrderLine_productId_workspace_stats" (dependencies) ON "productId", "workspaceId" FROM "OrderLine";
CREATE STATISTICS "OrderLine_orderId_workspace_stats" (dependencies) ON "orderId", "workspaceId" FROM "OrderLine";
CREATE STATISTICS "Activity_ticketId_workspace_stats" (dependencies) ON "ticketId", "workspaceId" FROM "Activity";
CREATE STATISTICS "SurveyResponse_ticketId_workspace_stats" (dependencies) ON "ticketId", "workspaceId" FROM "SurveyResponse";
CREATE STATISTICS "CampaignResponse_campaignId_workspace_stats" (dependencies) ON "campaignId", "workspaceId" FROM "CampaignResponse";
