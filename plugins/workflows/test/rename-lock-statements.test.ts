// The plugin's `renames` lock (shared) a step transaction takes: once per transaction, with its run locks
// (claimed-steps.ts `readLockedSteps`), not once per wait it begins. Before, a batch of N steps beginning waits on a
// version naming a custom object sent N lock statements, each after the batch may have written step rows.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { eventually, publishedWorkflow } from './support.js';

const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
const N = 12;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 5000 })] });
  admin = kit.workspace.client;
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

const count = async (where: string) => Number((await kit.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WorkflowStepRun" WHERE ${where}`))[0]!.n);

describe('a batch of steps beginning waits', () => {
  it('takes the renames lock once per step transaction, whatever the number of waits', async () => {
    const object = (await admin.query(`mutation { defineCustomObject(input: { name: "Venture", label: "Venture" }) { customObject { id } } }`)).defineCustomObject.customObject.id as string;
    await admin.query(`mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`, { i: { customObjectId: object, name: 'code', type: 'TEXT' } });
    const ids: string[] = [];
    for (let i = 0; i < N; i++) ids.push((await admin.query(`mutation ($c: String!) { createVenture(input: { code: $c }) { venture { id } } }`, { c: `v${i}` })).createVenture.venture.id as string);
    const workflow = await publishedWorkflow(admin, 'Await a venture change', {
      trigger: { kind: 'manual', object: 'Venture' },
      steps: [
        { id: 'pause', kind: 'wait', for: { hours: 1 } },
        { id: 'await', kind: 'waitForEvent', eventType: 'venture.updated', timeout: { days: 1 } },
      ],
    });
    expect((await admin.query(ON_RECORDS, { id: workflow, ids })).runWorkflowOnRecords.started).toBe(N);
    await eventually(kit, async () => expect(await count(`status = 'WAITING' AND "stepId" = 'pause'`)).toBe(N));
    const statements = await kit.sql.during(async () => {
      // The pauses end at one instant: the waits begin in one claimed batch (or a few).
      await kit.database.sql.query(
        `UPDATE "WorkflowStepRun" SET "dueAt" = now(), input = jsonb_build_object('until', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
         WHERE status = 'WAITING' AND "stepId" = 'pause'`,
      );
      await eventually(kit, async () => expect(await count(`status = 'WAITING' AND "stepId" = 'await' AND "waitKey" IS NOT NULL`)).toBe(N));
    });
    const shared = statements.filter((s) => s.includes('pg_advisory_xact_lock_shared(')).length;
    const reads = statements.filter((s) => s.includes('to_jsonb(r) AS run')).length;
    console.info(`renames lock statements for ${N} waits beginning: ${shared}, for ${reads} reads of claimed steps`);
    expect(shared).toBeGreaterThan(0);
    expect(shared).toBeLessThanOrEqual(reads);
    expect(shared).toBeLessThan(N);
  });
});
