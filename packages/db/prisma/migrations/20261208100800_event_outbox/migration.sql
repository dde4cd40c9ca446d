-- Publication leaves the Event row alone: the events not gone out yet are rows of "EventOutbox" (the event's id and
-- time), written by the numbering trigger at commit and deleted once the bus has them, instead of a "publishedAt"
-- column updated on every event. That update wrote a whole new version of each event into all six of its indexes
-- (its column was indexed, so it could never be HOT): a third of the event pipe's WAL (docs/performance.md, "Session
-- 19").
--
-- Upgrading while other instances run: the lock waits for every transaction that has inserted events (each numbers
-- them at its commit with the old function, outside the outbox) and holds new ones back until this commits, so the
-- copy below sees every committed event and every later commit numbers into the outbox. ACCESS EXCLUSIVE from the
-- start, not a weaker lock upgraded at the DROP INDEX below: a lock upgrade waits behind the lock requests queued
-- meanwhile (every insert), which wait for this transaction, a deadlock that aborts the migration. The copy is small
-- (the unpublished events of 7 days), so the table is held only for a moment.
--
-- "publishedAt" is kept but frozen, dropped in a later release (docs/operations.md, "Migrations"): an instance still
-- on the old code lists it in every read of Event (its Prisma client names each column) and writes it when it
-- publishes; both keep working. Only its index goes (nothing new reads it). Its events stay in the outbox (it does
-- not delete their rows) and a new instance's relay publishes them again after 2 s; its own relay publishes the new
-- instances' events again once ("publishedAt" stays NULL for them). Subscribers drop what they have seen by seq.
LOCK TABLE "Event" IN ACCESS EXCLUSIVE MODE;

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

-- Every row is deleted within seconds of its insert, so the table is mostly dead rows, and their space is reused only
-- after a vacuum: autovacuum takes it after a fixed 10,000 dead rows, not 20 % of a live-row estimate that swings
-- between 0 and a burst's size (it does nothing where autovacuum is off: docs/operations.md). No index on "occurredAt"
-- for the relay: with 300,000 dead rows the planner takes a bitmap scan of it (65-140 ms a look, reading every dead
-- entry: a bitmap scan never marks them dead) over the table's scan (2 ms); docs/performance.md, "Session 19".
ALTER TABLE "EventOutbox" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);

-- DropIndex
DROP INDEX "Event_publishedAt_occurredAt_idx";
