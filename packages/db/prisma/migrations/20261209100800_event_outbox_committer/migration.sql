-- Which process committed each event not gone out yet: the instance id its connections carry (`-c crm.instance=<id>`,
-- set only by a gateway that delivers events to plugins), NULL for any other (the CLI, a gateway without plugins, an
-- instance of an older release). The outbox relay hands an event to its own instance's plugins only when no live
-- process will: a NULL committer, or one whose liveness lock (a session advisory lock keyed by its id) nobody holds
-- (docs/architecture.md, "Events"; docs/performance.md, "Session 20: two instances").
--
-- `current_setting(..., true)`: NULL where the setting was never made (the embedded database, any other client), ''
-- where a session reset it. A nullable column added without a default rewrites nothing.

-- AlterTable
ALTER TABLE "EventOutbox" ADD COLUMN "committer" TEXT;

-- The numbering as before (20261208100800_event_outbox), the outbox row now naming its committer.
CREATE OR REPLACE FUNCTION crm_number_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  done_key text := 'crm_events.numbered_' || replace(NEW."workspaceId"::text, '-', '');
  pending bigint;
  last_seq bigint;
BEGIN
  IF current_setting(done_key, true) = '1' THEN
    RETURN NULL;
  END IF;
  -- Only this transaction's events are unnumbered and visible here: every committed event has its seq.
  SELECT count(*) INTO pending FROM "Event" WHERE "workspaceId" = NEW."workspaceId" AND seq IS NULL;
  IF pending > 0 THEN
    INSERT INTO "EventSequence" AS s ("workspaceId", "lastSeq") VALUES (NEW."workspaceId", pending)
      ON CONFLICT ("workspaceId") DO UPDATE SET "lastSeq" = s."lastSeq" + EXCLUDED."lastSeq"
      RETURNING s."lastSeq" INTO last_seq;
    WITH numbered AS (
      UPDATE "Event" e SET seq = last_seq - pending + t.n
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM "Event" WHERE "workspaceId" = NEW."workspaceId" AND seq IS NULL) t
       WHERE e.id = t.id
      RETURNING e.id, e."occurredAt")
    INSERT INTO "EventOutbox" ("eventId", "occurredAt", "committer")
      SELECT id, "occurredAt", NULLIF(current_setting('crm.instance', true), '') FROM numbered;
  END IF;
  PERFORM set_config(done_key, '1', true);
  RETURN NULL;
END
$$;
