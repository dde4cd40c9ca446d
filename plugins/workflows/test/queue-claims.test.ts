// The steps queue claims once per wake, not once per worker: one claim is in flight per queue and process, and a wake
// while it is under way asks for one more claim after it (packages/plugin-sdk/src/host/queues.ts). Counted on runs
// started one at a time, the case where nearly every claim of the four workers woken together found nothing.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, publishedWorkflow } from './support.js';


let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  // No idle polling within the test: every claim counted is a wake's (or follows a handled batch).
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 600_000 })] });
  admin = kit.workspace.client;
});
afterAll(async () => {
  await kit?.close();
});

describe('the steps queue’s claims', () => {
  it('runs one at a time: at most three claims a run (one per worker per wake before)', async () => {
    const id = await publishedWorkflow(admin, 'Claims', {
      trigger: { kind: 'record', object: 'Customer', on: 'created' },
      steps: [{ id: 'a', kind: 'addTag', tag: 'one' }, { id: 'b', kind: 'addTag', tag: 'two' }, { id: 'c', kind: 'createTask', title: 'Welcome {{trigger.record.name}}' }],
    });
    const workflowId = Buffer.from(id, 'base64').toString().split(':')[1];
    const finished = async () =>
      Number(
        (await kit.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE "workflowId" = $1 AND status = 'SUCCEEDED'`, [workflowId]))[0]!.n,
      );
    await admin.query(CUSTOMER, { name: 'Warm-up' });
    await eventually(kit, async () => expect(await finished()).toBe(1));
    const runs = 10;
    const statements = await kit.sql.during(async () => {
      for (let i = 0; i < runs; i++) {
        await admin.query(CUSTOMER, { name: `One at a time ${i}` });
        await eventually(kit, async () => expect(await finished()).toBe(i + 2));
      }
    });
    const claims = statements.filter((q) => q.includes('FOR UPDATE SKIP LOCKED')).length;
    console.info(`runs one at a time: ${(claims / runs).toFixed(1)} claims a run (${claims} for ${runs})`);
    // The claim that finds the run's first step, and the one after its batch (a step's successor may be due at once).
    expect(claims / runs).toBeLessThanOrEqual(3);
  });
});
