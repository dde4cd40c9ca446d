-- Events are still numbered at commit (event_seq_at_commit), but a commit's events of a workspace are numbered by
-- one statement instead of two per event: the first firing of the deferred trigger numbers them all, in insertion
-- order, and marks the workspace done for this transaction (a transaction-local setting), so the other firings
-- return at once. A bulk call or an import batch of 1,000 customers inserts 2,000 events: 4,000 single-row UPDATEs
-- at commit became 2, and the Workspace row gets one new version per commit instead of one per event.
--
-- Insertion order: a command inserts its events with one statement, ids made by the gateway in emission order (UUID
-- v7, strictly increasing within a process: `newRowId`), so ordering the pending events by id is their order.

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
    UPDATE "Workspace" SET "eventSeq" = "eventSeq" + pending WHERE id = NEW."workspaceId" RETURNING "eventSeq" INTO last_seq;
    UPDATE "Event" e SET seq = last_seq - pending + t.n
      FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM "Event" WHERE "workspaceId" = NEW."workspaceId" AND seq IS NULL) t
     WHERE e.id = t.id;
  END IF;
  PERFORM set_config(done_key, '1', true);
  RETURN NULL;
END
$$;
