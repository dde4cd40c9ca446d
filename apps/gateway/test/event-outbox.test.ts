// The events not gone out yet are rows of "EventOutbox" (migration event_outbox), written at commit by the numbering
// trigger and deleted at publication: an Event row is never rewritten to say it was published (that update wrote a
// new version of each event into all of its indexes). What a crashed process committed is still relayed, once.
import { type EventRow, type RecordedEvent, toRecordedEvent } from '@crm/core';
import type { SqlSession } from '@crm/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRetention } from '../src/live/event-retention.js';
import type { EventBus } from '../src/live/event-bus.js';
import { OutboxRelay } from '../src/live/outbox-relay.js';
import { CommittedPublisher } from '../src/live/publisher.js';
import { createLogger } from '../src/logger.js';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
// The gateway's own relay never ticks here: the tests run rounds by hand.
beforeAll(async () => {
  t = await startTestGateway({ database: 'postgres', relay: { staleAfterMs: 0, intervalMs: 3_600_000 } });
});
afterAll(async () => {
  await t?.close();
});

const logger = createLogger('error');
const EVENT_COLUMNS = `id, "workspaceId", seq, type, "subjectType", "subjectId", actor, "causedBy", "chainDepth", payload, "occurredAt"`;

/** Commits events the way a command does (unnumbered; numbered at commit) and publishes nothing: a process that died. */
async function commitAndDie(workspaceId: string, count: number, ageDays = 0): Promise<string[]> {
  const rows = await t.database.sql.query<{ id: string }>(
    `INSERT INTO "Event" (id, "workspaceId", type, "subjectType", "subjectId", actor, payload, "occurredAt")
     SELECT gen_random_uuid(), $1::uuid, 'customer.updated', 'Customer', gen_random_uuid(), 'system', '{"changed":["name"]}', now() - $3::int * interval '1 day'
       FROM generate_series(1, $2::int)
     RETURNING id`,
    [workspaceId, count, ageDays],
  );
  return rows.map((row) => row.id);
}

const inOutbox = async (ids: readonly string[]) =>
  (await t.database.sql.query<{ eventId: string }>(`SELECT "eventId" FROM "EventOutbox" WHERE "eventId" = ANY($1::uuid[])`, [ids])).length;

/** Where each event's row version is: a rewrite of the row (an UPDATE) moves it. */
const versions = async (ids: readonly string[]) =>
  (await t.database.sql.query<{ id: string; at: string }>(`SELECT id, ctid::text AS at FROM "Event" WHERE id = ANY($1::uuid[]) ORDER BY id`, [ids])).map(
    (row) => `${row.id}@${row.at}`,
  );

describe('the event outbox', () => {
  it('relays what a crashed process committed, once, in seq order, without rewriting the events', async () => {
    const { workspaceId } = await t.createWorkspace('Outbox crash');
    const ids = await commitAndDie(workspaceId, 3);
    expect(await inOutbox(ids)).toBe(3); // the commit put them there
    const before = await versions(ids);

    const relayed: RecordedEvent[] = [];
    const relay = new OutboxRelay({ sql: t.database.sql, bus: t.gateway.bus, logger, staleAfterMs: 0, onRelayed: (events) => relayed.push(...events) });
    await relay.runOnce();
    const mine = relayed.filter((event) => event.workspaceId === workspaceId);
    expect(mine.map((event) => event.id).sort()).toEqual([...ids].sort());
    expect(mine.map((event) => Number(event.seq))).toEqual([1, 2, 3]);
    expect(await inOutbox(ids)).toBe(0);
    expect(await versions(ids)).toEqual(before);

    // Published: the next round (this relay's, or another instance's) finds nothing of them.
    relayed.length = 0;
    await relay.runOnce();
    expect(relayed.filter((event) => event.workspaceId === workspaceId)).toEqual([]);
  });

  it("two gateways' relays on one stale batch publish each event once", async () => {
    const { workspaceId } = await t.createWorkspace('Outbox two relays');
    const ids = await commitAndDie(workspaceId, 3);
    const mine = (events: readonly RecordedEvent[]) => events.filter((event) => event.workspaceId === workspaceId).map((event) => event.id);
    // The first relay's publish hangs (a slow bus) while the second runs a whole round: no time involved.
    let release = () => {};
    let taken = () => {};
    const hanging = new Promise<void>((resolve) => (release = resolve));
    const publishing = new Promise<void>((resolve) => (taken = resolve));
    const slowBus: EventBus = Object.assign(Object.create(t.gateway.bus) as EventBus, {
      publish: async (events: readonly RecordedEvent[]) => {
        taken();
        await hanging;
        await t.gateway.bus.publish(events);
      },
    });
    const first: RecordedEvent[] = [];
    const second: RecordedEvent[] = [];
    const relayA = new OutboxRelay({ sql: t.database.sql, bus: slowBus, logger, staleAfterMs: 0, onRelayed: (events) => first.push(...events) });
    const relayB = new OutboxRelay({ sql: t.database.sql, bus: t.gateway.bus, logger, staleAfterMs: 0, onRelayed: (events) => second.push(...events) });
    const roundA = relayA.runOnce();
    await publishing;
    await relayB.runOnce();
    expect(mine(second)).toEqual([]); // A holds them
    release();
    await roundA;
    expect(mine(first).sort()).toEqual([...ids].sort());
    expect(await inOutbox(ids)).toBe(0);
  });

  it("marks a batch of published events with one statement on the outbox, none on Event's rows", async () => {
    const client = t.client(t.workspace.apiKey);
    await client.query(`mutation { createCustomer(input: { name: "Ola Outbox" }) { customer { id } } }`);
    const rows = await t.database.sql.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM "Event" WHERE "workspaceId" = $1::uuid ORDER BY seq`, [t.workspace.workspaceId]);
    const ids = rows.map((row) => row.id);
    expect(ids.length).toBeGreaterThan(0);
    // As if this process had just committed them and not marked them yet (the gateway's own publisher has).
    await t.database.sql.query(`INSERT INTO "EventOutbox" ("eventId", "occurredAt") SELECT id, "occurredAt" FROM "Event" WHERE id = ANY($1::uuid[])`, [ids]);
    const before = await versions(ids);

    // The publisher's own statements (its raw session is not Prisma's, which the gateway's recorder sees).
    const statements: string[] = [];
    const sql: SqlSession = {
      query: (text, params) => (statements.push(text), t.database.sql.query(text, params)),
      exec: (script) => (statements.push(script), t.database.sql.exec(script)),
    };
    const publisher = new CommittedPublisher(t.gateway.bus, sql, logger, 3_600_000);
    publisher.publish(rows.map(toRecordedEvent));
    await new Promise((resolve) => setImmediate(resolve)); // the bus has taken them
    await publisher.flush();
    expect(statements).toEqual(['DELETE FROM "EventOutbox" WHERE "eventId" = ANY($1::uuid[])']);
    expect(await inOutbox(ids)).toBe(0);
    expect(await versions(ids)).toEqual(before);
  });

  it('retention deletes an event never published with its outbox row', async () => {
    const { workspaceId } = await t.createWorkspace('Outbox retention');
    const [old] = await commitAndDie(workspaceId, 1, 400);
    expect(await inOutbox([old!])).toBe(1);
    await new EventRetention({ sql: t.database.sql, logger, days: 365 }).runOnce();
    expect(await t.database.sql.query(`SELECT 1 FROM "Event" WHERE id = $1::uuid`, [old])).toEqual([]);
    expect(await inOutbox([old!])).toBe(0);
  });

  it('retention deletes outbox rows past the relay look-back even when events are kept forever, not their events', async () => {
    const { workspaceId } = await t.createWorkspace('Outbox look-back');
    const [unrelayable] = await commitAndDie(workspaceId, 1, 8); // the bus was down, or marks failed, for 8 days
    const [recent] = await commitAndDie(workspaceId, 1, 6);
    expect(await inOutbox([unrelayable!, recent!])).toBe(2);
    await new EventRetention({ sql: t.database.sql, logger, days: null }).runOnce();
    expect(await inOutbox([unrelayable!])).toBe(0);
    expect(await inOutbox([recent!])).toBe(1); // the relay may still take it
    expect(await t.database.sql.query(`SELECT 1 FROM "Event" WHERE id = ANY($1::uuid[])`, [[unrelayable, recent]])).toHaveLength(2);
  });
});
