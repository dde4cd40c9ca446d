-- An event's time is the database's (docs/architecture.md, "Events"): the command inserts its events without
-- "occurredAt" and the column's default gives them the time of the INSERT (sent with the COMMIT), read back with the
-- events' numbers after the commit; before, the gateway's clock, which may be skewed from the database's. So every
-- time an event is compared with (the outbox relay's stale threshold, retention, a workflow run's steps) is one clock.
-- `dbgenerated`: Prisma's `now()` is the client's clock. A default only: no row is rewritten. An older instance during
-- a rolling upgrade still writes its own clock's time (the clocks must agree, NTP, until every instance is upgraded).

-- AlterTable
ALTER TABLE "Event" ALTER COLUMN "occurredAt" SET DEFAULT statement_timestamp();
