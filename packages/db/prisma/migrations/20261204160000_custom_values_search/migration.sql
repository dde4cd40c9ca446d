-- Search over core objects' custom text fields (packages/graph/src/engine/search-sql.ts, `customValuesDocumentSql`,
-- writes the same expression in its queries: change both together): every string value of the JSONB column, one
-- index per table whatever the workspaces' fields. The exact document of a workspace's text fields is checked on
-- the rows this index finds.
CREATE INDEX "Customer_custom_search_idx" ON "Customer" USING gin ((jsonb_to_tsvector('english'::regconfig, "customFields", '["string"]'::jsonb)));
CREATE INDEX "Company_custom_search_idx" ON "Company" USING gin ((jsonb_to_tsvector('english'::regconfig, "customFields", '["string"]'::jsonb)));
