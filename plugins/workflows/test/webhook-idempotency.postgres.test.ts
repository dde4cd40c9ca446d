// The webhook trigger's idempotency key under truly concurrent requests, on PostgreSQL, made deterministic: the test
// holds the workflow's webhook lock (the advisory lock the route takes, plugin-lock.ts) on a connection of its own,
// sends the requests, waits until every one is blocked on that lock (pg_locks), then releases it. Had the key been
// looked up before the lock, each would have found no run and all but one answered 202 with no run id; looked up
// under it, one run is started, one request answers 202 and the others 200 `duplicate`, every answer naming that run.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { ownConnection, publishedWorkflow, rowIdOf, switchAllOff, until } from './support.js';

const HOOK = `query ($id: ID!) { workflow(id: $id) { webhookPath } }`;
const RUN_IDS = `query ($id: ID!) { workflowRuns(workflowId: $id, first: 50) { id } }`;
/** Requests sent at once with one key. */
const CONCURRENT = 8;

let kit: PluginTestGateway;
let admin: TestClient;
/** The test's own connection to the gateway's database: it holds the workflow's webhook lock. */
let own: pg.Client;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })], database: 'postgres' });
  admin = kit.workspace.client;
  own = await ownConnection(kit);
}, 120_000);
afterAll(async () => {
  await own?.end();
  if (kit) await switchAllOff(kit, admin);
  await kit?.close();
});

/** The lock `lock('webhook:<workflow>')` of the workflows plugin takes in the workspace (plugin-lock.ts). */
const WEBHOOK_LOCK = `hashtext('crm:plugin:workflows:' || $1), hashtext('webhook:' || $2)`;

describe('a webhook idempotency key under concurrent requests (PostgreSQL)', () => {
  it('starts one run, and every answer names it (one 202, the others 200 duplicate)', async () => {
    const id = await publishedWorkflow(admin, 'Concurrent hook', { trigger: { kind: 'webhook', ratePerMinute: 6000 }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 0 } }] });
    const { webhookPath } = (await admin.query(HOOK, { id })).workflow;
    const lockArgs = [kit.workspace.workspaceId, rowIdOf(id)];
    await own.query(`SELECT pg_advisory_lock(${WEBHOOK_LOCK})`, lockArgs);
    const sent = Array.from({ length: CONCURRENT }, async () => {
      const response = await fetch(`${kit.url}${webhookPath}`, { method: 'POST', body: '{}', headers: { 'idempotency-key': 'delivery-1' } });
      return { status: response.status, body: (await response.json()) as { runId: string | null; duplicate?: boolean } };
    });
    // Every request has got as far as the lock (so each has done whatever it does before it) before any goes on.
    await until(async () => {
      const { rows } = await own.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid::int = hashtext('crm:plugin:workflows:' || $1) AND objid::int = hashtext('webhook:' || $2)`,
        lockArgs,
      );
      return rows[0]!.n === CONCURRENT ? true : undefined;
    });
    await own.query(`SELECT pg_advisory_unlock(${WEBHOOK_LOCK})`, lockArgs);
    const answers = await Promise.all(sent);
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(CONCURRENT - 1).fill(200), 202]);
    const runIds = new Set(answers.map((a) => a.body.runId));
    expect(runIds.size).toBe(1);
    expect([...runIds][0]).toEqual(expect.any(String));
    await kit.settled();
    expect((await admin.query(RUN_IDS, { id })).workflowRuns).toHaveLength(1);
  });
});
