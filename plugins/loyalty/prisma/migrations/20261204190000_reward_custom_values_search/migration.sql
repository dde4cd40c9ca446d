-- Search over LoyaltyReward's custom text fields, as core's `custom_values_search` and `custom_values_trigram` index customers'
-- (packages/graph/src/engine/search-sql.ts, `customValuesDocumentSql` and `customValuesTextSql`, writes the same
-- expressions in its queries: change them together): the words and the trigrams of every string value of the column.
CREATE INDEX "LoyaltyReward_custom_search_idx" ON "LoyaltyReward" USING gin ((jsonb_to_tsvector('english'::regconfig, "customFields", '["string"]'::jsonb)));
CREATE INDEX "LoyaltyReward_custom_trigram_idx" ON "LoyaltyReward" USING gin (((jsonb_path_query_array("customFields", '$.* ? (@.type() == "string")'::jsonpath))::text) gin_trgm_ops);
