-- Publication leaves the Event row alone: the events not gone out yet are rows of "EventOutbox" (the event's id and
-- time), written by the numbering trigger at commit and deleted once the bus has them, instead of a "publishedAt"
-- column updated on every event. That update wrote a whole new version of each event into all six of its indexes
-- (its column was indexed, so it could never be HOT): a third of the event pipe's WAL (docs/performance.md, "Session
-- 19").
--
-- Upgrading while other instances run: the lock waits for every transaction that has inserted events (each numbers
-- them at its commit with the old function, outside the outbox) and holds new ones back until this commits, so the
-- copy below sees every committed event and every later commit numbers into the outbox. An instance still on the old
-- code fails to write "publishedAt" (logged; its events stay in the outbox and a new instance's relay publishes them
-- after 2 s, subscribers dropping what they have seen by seq) until it is replaced.
LOCK TABLE "Event" IN SHARE ROW EXCLUSIVE MODE;

-- CreateTable
CREATE TABLE "EventOutbox" (
    "eventId" UUID NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "EventOutbox_pkey" PRIMARY KEY ("eventId")
);

-- What the relay would still publish: unpublished and within its look-back (7 days; older ones it never took).
-- Events already published stay published: they have no row here.
INSERT INTO "EventOutbox" ("eventId", "occurredAt")
SELECT id, "occurredAt" FROM "Event" WHERE "publishedAt" IS NULL AND "occurredAt" > now() - interval '7 days';

-- The numbering as before (event_sequence_table), and the numbered events enter the outbox in the same statement.
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
    INSERT INTO "EventOutbox" ("eventId", "occurredAt") SELECT id, "occurredAt" FROM numbered;
  END IF;
  PERFORM set_config(done_key, '1', true);
  RETURN NULL;
END
$$;

-- DropIndex
DROP INDEX "Event_publishedAt_occurredAt_idx";

-- AlterTable
ALTER TABLE "Event" DROP COLUMN "publishedAt";
