// Runs held back by the concurrency limit are let in as places free up, not by polling: a run leaving RUNNING makes
// the oldest held runs' steps due (admission.ts `wakeHeld`), and a held run looks again by itself only after a slow
// fallback. So how often held steps are claimed follows the runs, not the time the backlog lasts. Through HTTP on a
// real gateway (PGlite).
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CONCURRENCY_FALLBACK_MS } from '../src/runs/admission.js';
import { CUSTOMER, eventually, publishedWorkflow, switchAllOff } from './support.js';

const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })] });
  admin = kit.workspace.client;
});
afterEach(async () => {
  await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 20 } });
  await switchAllOff(kit, admin);
});
afterAll(async () => {
  await kit?.close();
});

describe('runs held back by the concurrency limit', () => {
  it('a selection of 50 runs under a limit of 2 finishes; each held step is claimed a few times, however long the backlog lasts', async () => {
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 2 } });
    const id = await publishedWorkflow(admin, 'Held selection', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'a', kind: 'addTag', tag: 'held-a' },
        { id: 'b', kind: 'addTag', tag: 'held-b' },
      ],
    });
    const workflowId = Buffer.from(id, 'base64').toString().split(':')[1]!;
    const targets = await Promise.all(Array.from({ length: 50 }, (_, i) => customer(`Held ${i}`)));
    const started = Date.now();
    expect((await admin.query(ON_RECORDS, { id, ids: targets })).runWorkflowOnRecords.started).toBe(50);
    await eventually(
      kit,
      async () => {
        const [row] = await kit.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE "workflowId" = $1 AND status = 'SUCCEEDED'`, [workflowId]);
        expect(Number(row!.n)).toBe(50);
      },
      120_000,
    );
    const elapsed = Date.now() - started;
    // The first steps' claims: each was claimed when its run was created (held back, most of them), again when a place
    // freed up (woken), and — should a woken run find its place taken by another — once more; plus one per fallback
    // period the backlog lasted. Re-polled every 500 ms, the held steps were claimed about elapsed / 500 ms times each.
    const [claims] = await kit.database.sql.query<{ total: number; most: number }>(
      `SELECT sum(s.claims)::int AS total, max(s.claims)::int AS most FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId"
       WHERE r."workflowId" = $1 AND s."stepId" = 'a'`,
      [workflowId],
    );
    const perRun = Number(claims!.total) / 50;
    console.info(`50 runs, limit 2: ${elapsed} ms, ${perRun.toFixed(1)} claims per first step (at most ${claims!.most})`);
    expect(perRun).toBeLessThanOrEqual(3 + Math.ceil(elapsed / CONCURRENCY_FALLBACK_MS));
  }, 150_000);
});

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
