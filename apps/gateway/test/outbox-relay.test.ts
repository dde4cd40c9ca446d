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
  (await t.database.sql.query<{ id: string }>(`SELECT id FROM "Event" WHERE id = ANY($1::uuid[]) AND "publishedAt" IS NULL`, [ids])).length;

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
  await t.database.sql.query(`UPDATE "Event" SET "publishedAt" = NULL WHERE id = ANY($1::uuid[])`, [ids]);
  const logger = createLogger('error');
  const publisher = new CommittedPublisher(t.gateway.bus, t.database.sql, logger, 3_600_000);
  publisher.publish(rows.map(toRecordedEvent));
  expect(ids.every((id) => publisher.has(id))).toBe(true);

  const relay = new OutboxRelay({ sql: t.database.sql, bus: t.gateway.bus, logger, staleAfterMs: 0, inFlight: publisher });
  expect(await relay.runOnce()).toBe(0);
  expect(await unmarked(ids)).toBe(ids.length);

  // Marked by the publisher: no longer in flight, nothing left for the relay.
  await publisher.flush();
  expect(ids.some((id) => publisher.has(id))).toBe(false);
  expect(await unmarked(ids)).toBe(0);
  expect(await relay.runOnce()).toBe(0);

  // Unmarked events that are not this publisher's (another process died before its marks): relayed and marked.
  await t.database.sql.query(`UPDATE "Event" SET "publishedAt" = NULL WHERE id = ANY($1::uuid[])`, [ids]);
  expect(await relay.runOnce()).toBe(ids.length);
  expect(await unmarked(ids)).toBe(0);
});
