// The plan of erasure's look for the steps waiting for the erased person's events (personal-data.ts `erase`): a
// waitKey ending in their id cannot be a range of the ("workspaceId", "waitKey") index, but "waitKey" IS NOT NULL can,
// so the look reads the workspace's waiting steps only — not every step row the workspace ever ran (waitKey null once a
// step stopped waiting). The statement is the one `erasePerson` sent (the test kit's recorder), EXPLAINed as it ran.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, publishedWorkflow, rowIdOf, startTwoWorkspaces } from './support.js';

const ERASE = `mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Erase plan B'));
});
afterAll(() => kit?.close());

describe('erasure’s look for waiting steps', () => {
  it('reads the workspace’s waiting steps by the (workspaceId, waitKey) index, not its whole step history', async () => {
    const workspaceId = kit.workspace.workspaceId;
    const workflowId = rowIdOf(await publishedWorkflow(admin, 'History', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'x' }] }));
    const [version] = await kit.database.prisma.$queryRawUnsafe<{ id: string }[]>('SELECT id FROM "WorkflowVersion" WHERE "workflowId" = $1::uuid LIMIT 1', workflowId);
    // A long history: 20,000 finished steps (no waitKey), and 5 steps waiting for other people's events.
    const [run] = await kit.database.prisma.$queryRawUnsafe<{ id: string }[]>(
      `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger, "finishedAt")
       VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, 'history', 'SUCCEEDED', '{}', now()) RETURNING id::text`,
      workspaceId,
      workflowId,
      version!.id,
    );
    await kit.database.prisma.$executeRawUnsafe(
      `INSERT INTO "WorkflowStepRun" (id, "workspaceId", "runId", "stepId", kind, status, "waitKey", "dueAt")
       SELECT gen_random_uuid(), $1::uuid, $2::uuid, 's' || g, 'addTag', CASE WHEN g <= 5 THEN 'WAITING' ELSE 'SUCCEEDED' END::"WorkflowStepStatus",
         CASE WHEN g <= 5 THEN 'customer.updated:' || gen_random_uuid() END,
         -- As the plugin leaves them: a finished step due never (the column's default is now, since session 19).
         CASE WHEN g <= 5 THEN now() + interval '3 days' END
       FROM generate_series(1, 20000) g`,
      workspaceId,
      run!.id,
    );
    await kit.database.prisma.$executeRawUnsafe(`ANALYZE "WorkflowStepRun"`);
    const erased = (await admin.query(CUSTOMER, { name: 'Erased Eda' })).createCustomer.customer.id as string;

    await kit.sql.during(() => admin.query(ERASE, { c: erased }));
    const look = kit.sql.withParams.find((s) => s.query.includes('"WorkflowStepRun"') && s.query.includes('"waitKey"') && /LIKE/i.test(s.query));
    expect(look, kit.sql.statements.join('\n')).toBeDefined();
    const plan = (await kit.database.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${look!.query}`, ...(JSON.parse(look!.params) as unknown[])))
      .map((row) => row['QUERY PLAN'])
      .join('\n');
    expect(plan, plan).toContain('WorkflowStepRun_workspaceId_waitKey_idx');
    expect(plan, plan).toMatch(/Index Cond: .*"waitKey" IS NOT NULL/);
  });
});
