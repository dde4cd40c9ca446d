// Two gateway instances on one PostgreSQL database (docs/performance.md, "Session 20: two instances"): the outbox
// relay of one re-publishes the other's events whose publish marks are late (under load, seconds), and its plugin
// host handed them on at once, so each such event went through both instances' lanes (the second delivery waiting on
// the first's marks, then finding them taken): with two gateways under load about half of all events. Now a relayed
// copy is handed on only to the subscribers with no mark of it (after the committer's grace, here none): an event
// the other instance delivered costs this one a read, no delivery transaction; one nobody delivered (its committer
// died, or is a process without plugins) is still delivered, once.
import { CommandRunner, createCustomer, createWorkspace } from '@crm/core';
import { type Database, fromPool } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { createGateway, createLogger, type Gateway } from '@crm/gateway';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { TestClient } from '@crm/plugin-testing';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { workflowsPlugin } from '../src/index.js';
import { CREATE, CUSTOMER, ENABLE, PUBLISH, RUNS, type RunView, until } from './support.js';

let postgres: TestPostgres;
const closing: (() => Promise<void>)[] = [];

beforeAll(async () => {
  postgres = await createTestPostgres(createPluginHost([workflowsPlugin()]).migrations);
}, 120_000);
afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await postgres?.drop();
});

/** A database handle of its own (its own pool), as a separate process has; `statements` sees what it sends. */
function ownDatabase(statements?: string[]): Database {
  const database = fromPool(new pg.Pool({ connectionString: postgres.url, max: 5 }), statements ? { onQuery: ({ query }) => statements.push(query) } : {});
  closing.push(() => database.close());
  return database;
}

/** A gateway instance on the shared database, without Redis; its relay runs only when the test says. */
async function instance(apiKey: string, statements?: string[]): Promise<{ gateway: Gateway; client: TestClient }> {
  const gateway = createGateway({
    database: ownDatabase(statements),
    plugins: createPluginHost([workflowsPlugin({ pollMs: 60_000 })]),
    relay: { staleAfterMs: 0, intervalMs: 3_600_000 },
    // The committer's grace is not what is tested: the relayed copies are looked at as soon as they come.
    pluginRelayGraceMs: 0,
    clvRefresh: false,
    monthEndSnapshots: false,
    logger: createLogger('error'),
  });
  const url = await gateway.listen(0);
  closing.push(() => gateway.close(1000));
  return { gateway, client: new TestClient(url, apiKey) };
}

/** Puts the workspace's events back in the outbox: as if their publish marks had not been written yet. */
async function unmarkAll(workspaceId: string): Promise<number> {
  const rows = await postgres.database.sql.query<{ id: string }>(
    `INSERT INTO "EventOutbox" ("eventId", "occurredAt") SELECT id, "occurredAt" FROM "Event" WHERE "workspaceId" = $1::uuid ON CONFLICT DO NOTHING RETURNING "eventId" AS id`,
    [workspaceId],
  );
  return rows.length;
}

const marksOf = async (workspaceId: string) =>
  (await postgres.database.sql.query<{ eventId: string; n: number }>(`SELECT "eventId", count(*)::int AS n FROM "PluginDelivery" WHERE "workspaceId" = $1::uuid GROUP BY 1`, [workspaceId])).map(
    (row) => Number(row.n),
  );

it("an instance's relay re-publishing the other's delivered events delivers none of them again; an event nobody delivered, once", async () => {
  const { apiKey, workspaceId } = await createWorkspace(postgres.database.prisma, { name: 'Relayed once' });
  const statements: string[] = [];
  const a = await instance(apiKey);
  const b = await instance(apiKey, statements);
  const definition = { trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [{ id: 't', kind: 'addTag', tag: 'seen' }] };
  const id = (await a.client.query(CREATE, { name: 'Relayed', definition })).createWorkflow.workflow.id as string;
  await a.client.query(PUBLISH, { id });
  await a.client.query(ENABLE, { id, enabled: true });
  const finished = (count: number) =>
    until(async () => {
      const runs = (await a.client.query(RUNS, { id })).workflowRuns as RunView[];
      return runs.length === count && runs.every((run) => run.status === 'SUCCEEDED') ? runs : undefined;
    }, 20_000);

  // A commits and delivers: the run starts and finishes (its step's events delivered by whichever instance ran it).
  for (const name of ['Ada', 'Grace', 'Edsger']) await a.client.query(CUSTOMER, { name });
  await finished(3);
  await a.gateway.plugins!.settled();
  await b.gateway.plugins!.settled();
  const marked = (await marksOf(workspaceId)).length;
  expect(marked).toBeGreaterThan(0);

  // A's publish marks late: B's relay publishes every event of the workspace again.
  const unmarked = await unmarkAll(workspaceId);
  expect(unmarked).toBeGreaterThanOrEqual(marked);
  statements.length = 0;
  expect(await b.gateway.relay.runOnce()).toBe(unmarked);
  await b.gateway.plugins!.settled();
  // One read of the marks for the relayed batch, and no delivery transaction (it used to claim every one again).
  expect(statements.filter((s) => /INSERT INTO "PluginDelivery"/.test(s))).toEqual([]);
  expect(statements.filter((s) => /FROM "public"\."PluginDelivery"/.test(s))).toHaveLength(1);
  expect(await marksOf(workspaceId)).toEqual(Array(marked).fill(1));

  // An event committed by a process without plugins (as the CLI, or an instance that died before delivering): B's
  // relay publishes it and B delivers it, once.
  const cli = new CommandRunner({ prisma: ownDatabase().prisma });
  await createCustomer(cli.callerFor({ workspaceId, role: 'ADMIN', actor: 'cli' }), { name: 'Barbara' });
  expect(await b.gateway.relay.runOnce()).toBeGreaterThan(0);
  await b.gateway.plugins!.settled();
  await finished(4);
  await a.gateway.plugins!.settled();
  await b.gateway.plugins!.settled();
  const marks = await marksOf(workspaceId);
  expect(marks.length).toBeGreaterThan(marked);
  expect(marks.every((n) => n === 1)).toBe(true);
});
