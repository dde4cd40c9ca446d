// The outbox relay publishes events that committed but never went out. Under load the publisher's marks can be
// written after the relay's stale threshold: the relay must leave this process's own events in flight alone (it
// published them a second time), and still take every other unmarked event.
import { type EventRow, toRecordedEvent } from '@crm/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OutboxRelay } from '../src/live/outbox-relay.js';
import { CommittedPublisher } from '../src/live/publisher.js';
import { createLogger } from '../src/logger.js';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
// The gateway's own relay never ticks here: the test runs rounds by hand.
beforeAll(async () => {
  t = await startTestGateway({ relay: { staleAfterMs: 0, intervalMs: 3_600_000 } });
});
afterAll(async () => {
  await t?.close();
});

const unmarked = async (ids: readonly string[]) =>
  (await t.database.sql.query<{ eventId: string }>(`SELECT "eventId" FROM "EventOutbox" WHERE "eventId" = ANY($1::uuid[])`, [ids])).length;
/** Puts published events back in the outbox: as if they had just committed and were not marked yet. */
const unmark = (ids: readonly string[]) =>
  t.database.sql.query(`INSERT INTO "EventOutbox" ("eventId", "occurredAt") SELECT id, "occurredAt" FROM "Event" WHERE id = ANY($1::uuid[]) ON CONFLICT DO NOTHING`, [ids]);

it('leaves the events its process is still publishing alone, and relays every other unmarked event', async () => {
  const client = t.client(t.workspace.apiKey);
  await client.query(`mutation { createCustomer(input: { name: "Ada Relay" }) { customer { id } } }`);
  const rows = await t.database.sql.query<EventRow>(
    `SELECT id, "workspaceId", seq, type, "subjectType", "subjectId", actor, payload, "occurredAt" FROM "Event" WHERE "workspaceId" = $1::uuid ORDER BY seq`,
    [t.workspace.workspaceId],
  );
  const ids = rows.map((row) => row.id);
  expect(ids.length).toBeGreaterThan(0);
  // As if this process had just committed them: published to the bus, marks not written yet (held for an hour).
  await unmark(ids);
  const logger = createLogger('error');
  const publisher = new CommittedPublisher(t.gateway.bus, t.database.sql, logger, 3_600_000);
  publisher.publish(rows.map(toRecordedEvent));
  expect(publisher.ids().sort()).toEqual([...ids].sort());

  const relay = new OutboxRelay({ sql: t.database.sql, bus: t.gateway.bus, logger, staleAfterMs: 0, inFlight: publisher });
  expect(await relay.runOnce()).toBe(0);
  expect(await unmarked(ids)).toBe(ids.length);

  // Marked by the publisher: no longer in flight, nothing left for the relay.
  await publisher.flush();
  expect(publisher.ids()).toEqual([]);
  expect(await unmarked(ids)).toBe(0);
  expect(await relay.runOnce()).toBe(0);

  // Unmarked events that are not this publisher's (another process died before its marks): relayed and marked.
  await unmark(ids);
  expect(await relay.runOnce()).toBe(ids.length);
  expect(await unmarked(ids)).toBe(0);
});

it('finds the stale events behind a page of events in flight', async () => {
  const client = t.client(t.workspace.apiKey);
  const eventsOf = async () =>
    t.database.sql.query<EventRow>(
      `SELECT id, "workspaceId", seq, type, "subjectType", "subjectId", actor, payload, "occurredAt" FROM "Event" WHERE "workspaceId" = $1::uuid ORDER BY seq`,
      [t.workspace.workspaceId],
    );
  const earlier = await eventsOf();
  await client.query(`mutation { createCustomer(input: { name: "Bo Relay" }) { customer { id } } }`);
  const later = (await eventsOf()).filter((row) => !earlier.some((e) => e.id === row.id));
  expect(later.length).toBeGreaterThan(0);
  const all = [...earlier, ...later].map((row) => row.id);
  await unmark(all);
  // The older events are in flight here; the newer ones were lost elsewhere. One event per round.
  const logger = createLogger('error');
  const publisher = new CommittedPublisher(t.gateway.bus, t.database.sql, logger, 3_600_000);
  publisher.publish(earlier.map(toRecordedEvent));
  const relay = new OutboxRelay({ sql: t.database.sql, bus: t.gateway.bus, logger, staleAfterMs: 0, batchSize: 1, inFlight: publisher });
  for (let i = 0; i < later.length; i++) expect(await relay.runOnce()).toBe(1);
  expect(await relay.runOnce()).toBe(0);
  expect(await unmarked(later.map((row) => row.id))).toBe(0);
  expect(await unmarked(earlier.map((row) => row.id))).toBe(earlier.length);
  await publisher.flush();
  expect(await unmarked(all)).toBe(0);
});
