-- Saved segments store the filter language of the lists (docs/api.md, "Filtering") instead of the old flat keys.
-- Each old key becomes one condition of an `and` list; row ids become global ids (base64 of `Type:id`).
CREATE FUNCTION pg_temp.gid(typename text, id text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT translate(encode(convert_to(typename || ':' || id, 'UTF8'), 'base64'), E'\n', '') $$;

CREATE FUNCTION pg_temp.cond(f jsonb, key text, field text, op text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE WHEN f ? key AND f->key <> 'null'::jsonb
                 THEN jsonb_build_array(jsonb_build_object(field, jsonb_build_object(op, f->key)))
                 ELSE '[]'::jsonb END $$;

UPDATE "Segment" SET "filter" = jsonb_build_object('and',
    pg_temp.cond("filter", 'lifecycleStage', 'lifecycleStage', 'in')
 || CASE WHEN "filter" ? 'companyId' THEN jsonb_build_array(jsonb_build_object('companyId', jsonb_build_object('eq', pg_temp.gid('Company', "filter"->>'companyId')))) ELSE '[]'::jsonb END
 || CASE WHEN "filter" ? 'ownerId' THEN jsonb_build_array(jsonb_build_object('ownerId', jsonb_build_object('eq', pg_temp.gid('User', "filter"->>'ownerId')))) ELSE '[]'::jsonb END
 || pg_temp.cond("filter", 'tag', 'tags', 'has')
 || pg_temp.cond("filter", 'tagsAny', 'tags', 'hasAny')
 || pg_temp.cond("filter", 'source', 'source', 'in')
 || pg_temp.cond("filter", 'createdAfter', 'createdAt', 'gte')
 || pg_temp.cond("filter", 'createdBefore', 'createdAt', 'lt')
 || pg_temp.cond("filter", 'lifetimeValueMin', 'lifetimeValue', 'gte')
 || pg_temp.cond("filter", 'lifetimeValueMax', 'lifetimeValue', 'lte')
 || pg_temp.cond("filter", 'lastOrderAfter', 'lastOrderAt', 'gte')
 || pg_temp.cond("filter", 'lastOrderBefore', 'lastOrderAt', 'lt')
 || pg_temp.cond("filter", 'predictedLifetimeValueMin', 'predictedLifetimeValue', 'gte')
 || pg_temp.cond("filter", 'predictedLifetimeValueMax', 'predictedLifetimeValue', 'lte')
 || pg_temp.cond("filter", 'probabilityAliveMin', 'probabilityAlive', 'gte')
 || pg_temp.cond("filter", 'probabilityAliveMax', 'probabilityAlive', 'lte')
 || CASE WHEN "filter" ? 'rfmSegment' THEN jsonb_build_array(jsonb_build_object('score', jsonb_build_object('rfmSegment', jsonb_build_object('in', "filter"->'rfmSegment')))) ELSE '[]'::jsonb END
)
WHERE jsonb_typeof("filter") = 'object' AND "filter" <> '{}'::jsonb AND NOT ("filter" ? 'and');
