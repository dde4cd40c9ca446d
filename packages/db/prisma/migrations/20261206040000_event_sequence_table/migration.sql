-- A workspace's event counter moves off the Workspace row into a table of its own.
--
-- Every insert into a table with a foreign key to "Workspace" (customers, events, tasks, runs, …) takes a key-share
-- lock on the workspace's row, and the numbering trigger updated that same row at every event-writing commit. An
-- update of a row other transactions hold key-share locks on gives the new version a multixact (the lockers and the
-- updater) as its xmax, and every later visit of those versions (each foreign-key check walks the row's HOT chain)
-- looks the multixact's members up. Under sustained writes (the workflows benchmark: 3.5 multixacts a run, 7 members
-- each) the lookups outgrew PostgreSQL's multixact cache and commits queued behind them: p95 latency rose from
-- ~0.1 s to 1–5 s after a few minutes (docs/performance.md, "Session 13"). Nothing references the counter's row, so
-- its updates carry a plain transaction id, and the Workspace row is no longer updated by writes.
--
-- Upgrading while other instances write: the lock below waits for every transaction that has inserted events (each
-- numbers them at its commit, with the old function) and holds new ones back until this commits, so the counters are
-- copied with no numbering under way and every later commit numbers with the new function. No lock on "Workspace" is
-- taken here (a writer at its commit, still on the old function, updates that row: waiting for it while holding it
-- would deadlock); the new table's foreign key comes in the next migration. "Workspace"."eventSeq" stays, frozen
-- (instances still on the old code read it): a later release drops it.
LOCK TABLE "Event" IN SHARE ROW EXCLUSIVE MODE;

-- CreateTable
CREATE TABLE "EventSequence" (
    "workspaceId" UUID NOT NULL,
    "lastSeq" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "EventSequence_pkey" PRIMARY KEY ("workspaceId")
);

INSERT INTO "EventSequence" ("workspaceId", "lastSeq") SELECT id, "eventSeq" FROM "Workspace" WHERE "eventSeq" > 0;

-- The numbering as before (event_numbering_per_commit: one statement for all of a commit's events of a workspace),
-- counted in "EventSequence": its row is made by the workspace's first event (any path that writes events numbers
-- them; no workspace creation has to remember the counter) and locked by every later one until it commits.
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
    UPDATE "Event" e SET seq = last_seq - pending + t.n
      FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM "Event" WHERE "workspaceId" = NEW."workspaceId" AND seq IS NULL) t
     WHERE e.id = t.id;
  END IF;
  PERFORM set_config(done_key, '1', true);
  RETURN NULL;
END
$$;
