// An error before a step begins (its transaction fails before the step runs: its read, its run's admission) is no
// try of the step: it comes again soon. But not for ever: an error that comes every time fails the step and its run
// after a few returns, with the error in their history, and is reported to the host (its `onError`: the gateway logs
// it). The error here is real: a CHECK constraint the test adds refuses the run's admission (status RUNNING) for one
// record, every time. Through HTTP on a real gateway (PGlite).
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { MAX_RETURNS } from '../src/runs/execute-step.js';
import { CUSTOMER, eventually, publishedWorkflow, rowIdOf, RUN, runsOf } from './support.js';

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })] });
  admin = kit.workspace.client;
});
afterAll(async () => {
  await kit?.close();
});


describe('a step that cannot begin', () => {
  it(`fails with its run after ${MAX_RETURNS} returns, saying why, and is reported; no try of it is counted`, async () => {
    const id = await publishedWorkflow(admin, 'Never let in', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'never' }] });
    const target = (await admin.query(CUSTOMER, { name: 'Nora Never' })).createCustomer.customer.id as string;
    await kit.database.prisma.$executeRawUnsafe(
      `ALTER TABLE "WorkflowRun" ADD CONSTRAINT never_let_in CHECK (status <> 'RUNNING' OR "recordId" IS DISTINCT FROM '${rowIdOf(target)}'::uuid)`,
    );
    const logged: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    try {
      await admin.query(RUN, { id, recordId: target });
      // Before the fix the step came back every second, for ever, and the run stayed QUEUED.
      const [run] = await eventually(
        kit,
        async () => {
          const runs = await runsOf(admin, id);
          expect(runs[0]!.status).toBe('FAILED');
          return runs;
        },
        30_000,
      );
      expect(run!.error).toMatch(new RegExp(`^tag: Could not begin: its transaction failed ${MAX_RETURNS} times before the step ran \\(last: [\\s\\S]*never_let_in`));
      expect(run!.steps).toMatchObject([{ stepId: 'tag', status: 'FAILED', attempts: 0, dueAt: null }]);
      expect(run!.steps[0]!.error).toMatch(/^Could not begin/);
      const [row] = await kit.database.sql.query<{ returns: number; claims: number }>(
        `SELECT s.returns, s.claims FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId" WHERE r."workflowId" = $1::uuid`,
        [rowIdOf(id)],
      );
      expect(Number(row!.returns)).toBe(MAX_RETURNS);
      expect(Number(row!.claims)).toBe(MAX_RETURNS);
      // Reported: the host's queue error report (the gateway's log) names the step and the reason.
      expect(logged.some((line) => line.includes('plugin queue failed') && line.includes('Could not begin'))).toBe(true);
    } finally {
      stderr.mockRestore();
      await kit.database.prisma.$executeRawUnsafe(`ALTER TABLE "WorkflowRun" DROP CONSTRAINT never_let_in`);
    }
  }, 60_000);
});
