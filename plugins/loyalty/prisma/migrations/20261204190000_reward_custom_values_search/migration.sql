-- Indexed search over rewards (packages/graph/src/engine/search-sql.ts writes the same expressions in its queries:
-- change them together). The declared document and the trigrams of the A-weight field, as core's migration
-- `declared_search` indexes core objects (`searchIndexSql` prints the document); and, as core's
-- `custom_values_search` and `custom_values_trigram` index customers', the words and the trigrams of every string
-- value of `customFields` (`customValuesDocumentSql`, `customValuesTextSql`). Without all of them, one unindexed arm
-- of the search's OR made PostgreSQL read the whole table.
CREATE INDEX "LoyaltyReward_search_idx" ON "LoyaltyReward" USING gin ((setweight(to_tsvector('english'::regconfig, coalesce("name", '')), 'A')));
CREATE INDEX "LoyaltyReward_name_idx" ON "LoyaltyReward" USING gin ("name" gin_trgm_ops);
CREATE INDEX "LoyaltyReward_custom_search_idx" ON "LoyaltyReward" USING gin ((jsonb_to_tsvector('english'::regconfig, "customFields", '["string"]'::jsonb)));
CREATE INDEX "LoyaltyReward_custom_trigram_idx" ON "LoyaltyReward" USING gin (((jsonb_path_query_array("customFields", '$.* ? (@.type() == "string")'::jsonpath))::text) gin_trgm_ops);
