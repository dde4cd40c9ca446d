-- Typo tolerance over core objects' custom text fields (packages/graph/src/engine/search-sql.ts,
-- `customValuesTextSql`, writes the same expression in its queries: change both together): the trigrams of every
-- string value of the JSONB column, one index per table whatever the workspaces' fields. The similarity to each
-- A-weight field the caller reads is checked on the rows this index finds.
CREATE INDEX "Customer_custom_trigram_idx" ON "Customer" USING gin (((jsonb_path_query_array("customFields", '$.* ? (@.type() == "string")'::jsonpath))::text) gin_trgm_ops);
CREATE INDEX "Company_custom_trigram_idx" ON "Company" USING gin (((jsonb_path_query_array("customFields", '$.* ? (@.type() == "string")'::jsonpath))::text) gin_trgm_ops);
