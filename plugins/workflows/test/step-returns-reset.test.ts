// A step's returns (execute-step.ts `comeAgain`: its transaction failed before it began) count those in a row: once
// the step begins, they start again from 0, so that passing failures spread over a long wait never add up to the limit.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, publishedWorkflow, rowIdOf, RUN, until } from './support.js';

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50 })] });
  admin = kit.workspace.client;
});
afterAll(async () => {
  await kit?.close();
});

const sql = <T>(text: string, ...values: unknown[]) => kit.database.prisma.$queryRawUnsafe<T[]>(text, ...values);

it('a step that begins after returns has them reset', async () => {
  const id = await publishedWorkflow(admin, 'Returns reset', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'pause', kind: 'wait', for: { days: 3 } }] });
  const target = (await admin.query(CUSTOMER, { name: 'Rita Returns' })).createCustomer.customer.id;
  const run = rowIdOf((await admin.query(RUN, { id, recordId: target })).runWorkflow.run.id as string);
  await until(async () => ((await sql(`SELECT 1 FROM "WorkflowStepRun" WHERE "runId" = $1::uuid AND status = 'WAITING'`, run)).length ? true : undefined));
  // Three returns so far (as `comeAgain` counts them), then its time comes and it begins.
  await sql(
    `UPDATE "WorkflowStepRun" SET returns = 3, input = jsonb_set(input, '{until}', '"2000-01-01T00:00:00.000Z"'), "dueAt" = now() WHERE "runId" = $1::uuid`,
    run,
  );
  await eventually(kit, async () => expect((await sql<{ status: string }>(`SELECT status::text FROM "WorkflowRun" WHERE id = $1::uuid`, run))[0]!.status).toBe('SUCCEEDED'));
  expect(await sql(`SELECT status::text, returns FROM "WorkflowStepRun" WHERE "runId" = $1::uuid`, run)).toEqual([{ status: 'SUCCEEDED', returns: 0 }]);
});
