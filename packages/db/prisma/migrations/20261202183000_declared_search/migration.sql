-- Full-text search over each declared object's searchable fields (packages/graph/src/engine/search-sql.ts writes the
-- same document expression in its queries: change both together), and trigram indexes for the A-weight fields.
CREATE INDEX "Customer_search_idx" ON "Customer" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("name", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("email", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("phone", '')), 'B')));
CREATE INDEX "Company_search_idx" ON "Company" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("name", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("domain", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("industry", '')), 'C')));
CREATE INDEX "User_search_idx" ON "User" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("name", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("email", '')), 'A')));
CREATE INDEX "Pipeline_search_idx" ON "Pipeline" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("name", '')), 'A')));
CREATE INDEX "Deal_search_idx" ON "Deal" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("title", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("lostReason", '')), 'C')));
CREATE INDEX "Activity_search_idx" ON "Activity" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("subject", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("body", '')), 'C')));
CREATE INDEX "Task_search_idx" ON "Task" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("title", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("notes", '')), 'C')));
CREATE INDEX "Product_search_idx" ON "Product" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("sku", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("name", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("category", '')), 'B')));
CREATE INDEX "Order_search_idx" ON "Order" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("orderRef", '')), 'A')));
CREATE INDEX "Ticket_search_idx" ON "Ticket" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("subject", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("description", '')), 'C')));
CREATE INDEX "SurveyResponse_search_idx" ON "SurveyResponse" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("comment", '')), 'B')));
CREATE INDEX "Campaign_search_idx" ON "Campaign" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("name", '')), 'A')));
CREATE INDEX "Deal_title_idx" ON "Deal" USING GIN ("title" gin_trgm_ops);
CREATE INDEX "Activity_subject_idx" ON "Activity" USING GIN ("subject" gin_trgm_ops);
CREATE INDEX "Task_title_idx" ON "Task" USING GIN ("title" gin_trgm_ops);
CREATE INDEX "Ticket_subject_idx" ON "Ticket" USING GIN ("subject" gin_trgm_ops);
CREATE INDEX "Product_name_idx" ON "Product" USING GIN ("name" gin_trgm_ops);
CREATE INDEX "Product_sku_idx" ON "Product" USING GIN ("sku" gin_trgm_ops);
CREATE INDEX "Order_orderRef_idx" ON "Order" USING GIN ("orderRef" gin_trgm_ops);
CREATE INDEX "Company_domain_idx" ON "Company" USING GIN ("domain" gin_trgm_ops);
