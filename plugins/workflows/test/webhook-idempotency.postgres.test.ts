// The webhook trigger's idempotency key under truly concurrent requests, on PostgreSQL (several connections, each
// request its own transaction): however they interleave, one run is started, one request answers 202 and the others
// 200 `duplicate`, and every answer names that run.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { publishedWorkflow, switchAllOff } from './support.js';

const HOOK = `query ($id: ID!) { workflow(id: $id) { webhookPath } }`;
const RUN_IDS = `query ($id: ID!) { workflowRuns(workflowId: $id, first: 50) { id } }`;
/** Requests sent at once with one key, per round. */
const CONCURRENT = 8;
const ROUNDS = 4;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })], database: 'postgres' });
  admin = kit.workspace.client;
}, 120_000);
afterAll(async () => {
  if (kit) await switchAllOff(kit, admin);
  await kit?.close();
});

describe('a webhook idempotency key under concurrent requests (PostgreSQL)', () => {
  it('starts one run, and every answer names it (one 202, the others 200 duplicate)', async () => {
    const id = await publishedWorkflow(admin, 'Concurrent hook', { trigger: { kind: 'webhook', ratePerMinute: 6000 }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 0 } }] });
    const { webhookPath } = (await admin.query(HOOK, { id })).workflow;
    for (let round = 0; round < ROUNDS; round++) {
      const key = `delivery-${round}`;
      const answers = await Promise.all(
        Array.from({ length: CONCURRENT }, async () => {
          const response = await fetch(`${kit.url}${webhookPath}`, { method: 'POST', body: `{"round":${round}}`, headers: { 'idempotency-key': key } });
          return { status: response.status, body: (await response.json()) as { runId: string | null; duplicate?: boolean } };
        }),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([...Array(CONCURRENT - 1).fill(200), 202]);
      const runIds = new Set(answers.map((a) => a.body.runId));
      expect(runIds.size).toBe(1);
      expect([...runIds][0]).toEqual(expect.any(String));
    }
    await kit.settled();
    expect((await admin.query(RUN_IDS, { id })).workflowRuns).toHaveLength(ROUNDS);
  });
});
