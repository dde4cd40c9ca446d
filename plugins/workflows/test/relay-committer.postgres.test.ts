// Two gateway instances on one PostgreSQL database: the outbox relay hands a stale event to its own instance's plugins
// only when no live process delivers it (docs/architecture.md, "Events"; docs/performance.md, "Session 20: two
// instances"). The relays are run by hand (`runOnce`, stale at once) and never tick by themselves.
// - A live instance's events are published by the other's relay but left to it: not one delivery mark from the other.
// - Events of a plugin-less committer (the CLI) are delivered by the relaying instance at once, and those of an
//   instance that has closed (its liveness lock gone with its connection) too, each exactly once.
// Events "committed by A but not yet delivered by A" are committed on a handle of A's instance id (its connections
// name A as the committer) through a runner with no plugins: what A commits while its delivery lags or is lost.
import { randomUUID } from 'node:crypto';
import { CommandRunner, createCustomer, createWorkspace } from '@crm/core';
import { type Database, fromPool } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { createGateway, createLogger, type Gateway } from '@crm/gateway';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { TestClient } from '@crm/plugin-testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowsPlugin } from '../src/index.js';
import { CREATE, ENABLE, PUBLISH, RUNS, type RunView, until } from './support.js';

/** The relays never tick in a test: each round is `runOnce`. */
const NEVER_MS = 3_600_000;

let postgres: TestPostgres;
const closing: (() => Promise<void>)[] = [];

beforeAll(async () => {
  postgres = await createTestPostgres(createPluginHost([workflowsPlugin()]).migrations);
}, 120_000);
afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await postgres?.drop();
});

/** A database handle of its own (its own pool), as a separate process has; `instance` as a plugin-delivering gateway. */
function ownDatabase(instance?: string): Database {
  const database = fromPool(new pg.Pool({ connectionString: postgres.url, max: 5 }), instance ? { instance } : {});
  closing.push(() => database.close());
  return database;
}

interface Instance {
  id: string;
  gateway: Gateway;
  client: TestClient;
}

/** A gateway with the workflows plugin, as its own process: its instance id, pool and liveness lock. */
async function instance(apiKey: string): Promise<Instance> {
  const id = randomUUID();
  const gateway = createGateway({
    database: ownDatabase(id),
    plugins: createPluginHost([workflowsPlugin({ pollMs: 60_000 })]),
    relay: { staleAfterMs: 0, intervalMs: NEVER_MS },
    clvRefresh: false,
    monthEndSnapshots: false,
    logger: createLogger('error'),
  });
  const url = await gateway.listen(0);
  closing.push(() => gateway.close(1000));
  return { id, gateway, client: new TestClient(url, apiKey) };
}

/** Commits a customer through a runner without plugins on `database`: nobody delivers its events at commit. */
async function committedOn(database: Database, workspaceId: string, name: string): Promise<string> {
  const runner = new CommandRunner({ prisma: database.prisma });
  return (await createCustomer(runner.callerFor({ workspaceId, role: 'ADMIN', actor: 'test' }), { name })).id;
}

/** Delivery marks of the workflows subscriber for events about this customer (row id). */
async function marksFor(customerId: string): Promise<number> {
  const rows = await postgres.database.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "PluginDelivery" d JOIN "Event" e ON e.id = d."eventId" WHERE d."pluginId" = 'workflows' AND e."subjectId" = $1::uuid`,
    [customerId],
  );
  return Number(rows[0]!.n);
}

/** The committers named by the outbox rows left of the events about this customer (each once). */
const committersOf = async (customerId: string) =>
  (
    await postgres.database.sql.query<{ committer: string | null }>(
      `SELECT DISTINCT o.committer FROM "EventOutbox" o JOIN "Event" e ON e.id = o."eventId" WHERE e."subjectId" = $1::uuid`,
      [customerId],
    )
  ).map((row) => row.committer);

async function onCreated(client: TestClient, name: string): Promise<string> {
  const definition = { trigger: { kind: 'record', object: 'Customer', on: 'created', condition: { name: { startsWith: name } } }, steps: [{ id: 't', kind: 'addTag', tag: 'seen' }] };
  const id = (await client.query(CREATE, { name, definition })).createWorkflow.workflow.id as string;
  await client.query(PUBLISH, { id });
  await client.query(ENABLE, { id, enabled: true });
  return id;
}

const runsOf = async (client: TestClient, id: string) => (await client.query(RUNS, { id })).workflowRuns as RunView[];

describe('the relay delivers to plugins only what no live process will', () => {
  it("leaves a live instance's events to it, and delivers a plugin-less committer's and a closed instance's once", async () => {
    const { apiKey, workspaceId } = await createWorkspace(postgres.database.prisma, { name: 'Relay committer' });
    const a = await instance(apiKey);
    const workflow = await onCreated(a.client, 'Relayed');
    const b = await instance(apiKey);
    const asA = ownDatabase(a.id);
    const cli = ownDatabase();

    // A is alive: its event goes out on B's bus but stays A's to deliver. The CLI's, relayed in the same round, is B's.
    const ofLiveA = await committedOn(asA, workspaceId, 'Relayed by live A');
    const ofCli = await committedOn(cli, workspaceId, 'Relayed from the CLI');
    expect(await committersOf(ofLiveA)).toEqual([a.id]);
    expect(await committersOf(ofCli)).toEqual([null]);
    expect(await b.gateway.relay.runOnce()).toBeGreaterThanOrEqual(2);
    await b.gateway.plugins!.settled();
    expect(await committersOf(ofLiveA)).toEqual([]); // published
    expect(await marksFor(ofCli)).toBeGreaterThan(0);
    expect(await marksFor(ofLiveA)).toBe(0);

    // A closes (its lock's connection ends): what it committed and never delivered is B's now, delivered once.
    const ofGoneA = await committedOn(asA, workspaceId, 'Relayed after A');
    await a.gateway.close(1000);
    expect(await b.gateway.relay.runOnce()).toBeGreaterThanOrEqual(1);
    await b.gateway.plugins!.settled();
    const marks = await marksFor(ofGoneA);
    expect(marks).toBeGreaterThan(0);
    expect(await b.gateway.relay.runOnce()).toBe(0);
    await b.gateway.plugins!.settled();
    expect(await marksFor(ofGoneA)).toBe(marks);
    // Exactly once: one run per customer (a second delivery would have started a second run).
    const runs = await until(async () => {
      const all = await runsOf(b.client, workflow);
      return all.length === 2 && all.every((r) => r.status === 'SUCCEEDED') ? all : undefined;
    }, 20_000);
    const recordIds = runs.map((r) => Buffer.from(r.recordId!, 'base64').toString().split(':')[1]).sort();
    expect(recordIds).toEqual([ofCli, ofGoneA].sort());
  });
});
