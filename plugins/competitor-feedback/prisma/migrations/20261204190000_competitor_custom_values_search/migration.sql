-- Indexed search over competitors (packages/graph/src/engine/search-sql.ts writes the same expressions in its
-- queries: change them together). The declared document and the trigrams of the A-weight field, as core's migration
-- `declared_search` indexes core objects (`searchIndexSql` prints the document); and, as core's
-- `custom_values_search` and `custom_values_trigram` index customers', the words and the trigrams of every string
-- value of `customFields` (`customValuesDocumentSql`, `customValuesTextSql`). Without all of them, one unindexed arm
-- of the search's OR made PostgreSQL read the whole table.
CREATE INDEX "Competitor_search_idx" ON "Competitor" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("name", '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce("website", '')), 'B') || setweight(to_tsvector('english'::regconfig, coalesce("strengths", '')), 'C') || setweight(to_tsvector('english'::regconfig, coalesce("weaknesses", '')), 'C')));
CREATE INDEX "Competitor_name_idx" ON "Competitor" USING gin ("name" gin_trgm_ops);
CREATE INDEX "Competitor_custom_search_idx" ON "Competitor" USING gin ((jsonb_to_tsvector('english'::regconfig, "customFields", '["string"]'::jsonb)));
CREATE INDEX "Competitor_custom_trigram_idx" ON "Competitor" USING gin (((jsonb_path_query_array("customFields", '$.* ? (@.type() == "string")'::jsonpath))::text) gin_trgm_ops);
