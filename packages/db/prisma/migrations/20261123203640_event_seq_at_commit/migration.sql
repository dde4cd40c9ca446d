-- Events are numbered at commit instead of by the command before it: the command inserts its events with a NULL
-- seq, and this deferred trigger numbers them while PostgreSQL commits. The Workspace row lock that makes seq
-- gapless and commit-ordered is then held only for the commit itself (no client round trip under it, so a busy
-- gateway no longer stretches it and throttles a workspace's writes).

-- AlterTable
ALTER TABLE "Event" ALTER COLUMN "seq" DROP NOT NULL;

-- Deferred row triggers fire in insertion order, so one command's events keep the order they were emitted in.
CREATE FUNCTION crm_number_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  next_seq bigint;
BEGIN
  UPDATE "Workspace" SET "eventSeq" = "eventSeq" + 1 WHERE id = NEW."workspaceId" RETURNING "eventSeq" INTO next_seq;
  UPDATE "Event" SET seq = next_seq WHERE id = NEW.id;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER event_numbered_at_commit
  AFTER INSERT ON "Event"
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW
  WHEN (NEW.seq IS NULL)
  EXECUTE FUNCTION crm_number_event();
