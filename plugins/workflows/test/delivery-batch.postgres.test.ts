// A delivery batch on PostgreSQL, statement by statement (triggers/on-event.ts): the events of a lane wait for every
// sequential round trip of the batch in front of them, so the batch's statements are counted and so are its waits
// (statements sent together, without waiting for each other, are one). Measured on the production pool (pipelined
// connections) with the plugin host alone (no queue workers, no jobs): one batch of ten "customer created" events, and
// one of ten "customer updated" events that end ten waits.
import { performance } from 'node:perf_hooks';
import { CommandRunner, createCustomer, createWorkspace, type RecordedEvent, updateCustomer } from '@crm/core';
import { type Database, fromPool, postgresPool } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { createGateway, createLogger, type Gateway } from '@crm/gateway';
import { createPluginHost, type PluginRuntime } from '@crm/plugin-sdk/host';
import { TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowsPlugin } from '../src/index.js';
import { CUSTOMER, publishedWorkflow, RUN, until } from './support.js';

interface Timed {
  query: string;
  start: number;
  end: number;
}

let postgres: TestPostgres;
let gateway: Gateway;
let measured: Database;
let url: string;
let recording = false;
const timed: Timed[] = [];

beforeAll(async () => {
  postgres = await createTestPostgres(createPluginHost([workflowsPlugin()]).migrations);
  gateway = createGateway({ database: postgres.database, plugins: createPluginHost([workflowsPlugin({ pollMs: 60_000 })]), clvRefresh: false, monthEndSnapshots: false, logger: createLogger('error') });
  url = await gateway.listen(0);
  // The measured instance's database: the gateway's kind of pool, every statement timed (reported when it is answered).
  measured = fromPool(postgresPool({ kind: 'postgres', url: postgres.url, poolSize: 4 }), {
    onQuery: ({ query, durationMs }) => {
      const end = performance.now();
      if (recording) timed.push({ query, start: end - durationMs, end });
    },
  });
}, 120_000);
afterAll(async () => {
  await gateway?.close(1000);
  await measured?.close();
  await postgres?.drop();
});

/** Statements answered together with others sent before them were not waited for apart: the sequential waits. */
function waits(statements: readonly Timed[]): Timed[][] {
  const groups: Timed[][] = [];
  let until = -Infinity;
  for (const statement of [...statements].sort((a, b) => a.start - b.start)) {
    if (statement.start >= until) groups.push([]);
    groups.at(-1)!.push(statement);
    until = Math.max(until, statement.end);
  }
  return groups;
}

const CLAIMED = /FOR UPDATE SKIP LOCKED/;

describe('a delivery batch of ten "customer created" events', () => {
  it('starts ten runs in eight statements and five or six waits: marks, lookup, run starts lock with the erasures, records with admission, runs with the COMMIT', async () => {
    const { apiKey, workspaceId } = await createWorkspace(postgres.database.prisma, { name: 'Batch' });
    const admin = new TestClient(url, apiKey);
    const id = await publishedWorkflow(admin, 'Welcome', {
      trigger: { kind: 'record', object: 'Customer', on: 'created' },
      steps: [
        { id: 'a', kind: 'addTag', tag: 'one' },
        { id: 'b', kind: 'addTag', tag: 'two' },
        { id: 'c', kind: 'createTask', title: 'Welcome {{trigger.record.name}}' },
      ],
    });
    const workflowId = Buffer.from(id, 'base64').toString().split(':')[1]!;

    // The measured instance: its commands' events are held, then handed to its host together (one lane, one batch).
    const host = createPluginHost([workflowsPlugin()]);
    const committed: RecordedEvent[] = [];
    const runner = new CommandRunner({ prisma: measured.prisma, beforeCommit: [host.commitHook], pluginObjects: host.objects, onCommitted: (events) => committed.push(...events) });
    const runtime: PluginRuntime = host.start({ runner, prisma: measured.prisma, notifications: null, queueWorkers: false, jobTimers: false });
    try {
      const caller = runner.callerFor({ workspaceId, role: 'ADMIN', actor: 'test' });
      const warmUp = await createCustomer(caller, { name: 'Warm-up' }); // the version's plan and the interest, read once per process
      runtime.dispatch(committed.splice(0));
      await runtime.settled();
      for (let i = 0; i < 10; i++) await createCustomer(caller, { name: `Batch ${i}` });
      const events = committed.splice(0).filter((event) => event.type === 'customer.created');
      expect(events).toHaveLength(10);

      timed.length = 0;
      recording = true;
      runtime.dispatch(events);
      await runtime.settled();
      recording = false;

      const statements = timed.filter((s) => !CLAIMED.test(s.query) && !/^\s*(BEGIN|COMMIT)\b/i.test(s.query));
      const groups = waits(statements);
      const shape = groups.map((group) => group.map((s) => s.query.replace(/\s+/g, ' ').slice(0, 60)));
      if (process.env.SHOW_SQL) console.info(timed.map((s) => `${s.start.toFixed(2)}-${s.end.toFixed(2)} ${s.query.replace(/\s+/g, ' ')}`).join('\n'));
      console.info(`delivery batch of 10: ${statements.length} statements, ${groups.length} waits\n${shape.map((g) => `  ${g.join('  ||  ')}`).join('\n')}`);
      // The marks (one INSERT); the lookup (waited keys and listening versions in one statement); the trigger records
      // with the admission's lock and count sent together; the runs and their first steps with the COMMIT. It was
      // eight statements and as many waits, then the COMMIT's (the records were read in two statements: each event's
      // context has its own objects, and the batch's records were grouped by them).
      // The lock and the count are sent together (the count before the lock's answer), always; the records' read
      // (Prisma's client, compiled first) usually joins them, but on a busy machine may leave after the lock's answer:
      // four waits, or five, never the nine of before.
      // Seven with the run starts' lock (shared, an erasure's guard: runs/start-run.ts), awaited after the lookup: a
      // wait more (the records' read may be Prisma's, which does not keep call order with the raw lock).
      // Eight with the erasures since the batch's oldest event (runs/erased-events.ts), read under that lock and sent
      // with it: a statement more, no wait more.
      expect(statements).toHaveLength(8);
      expect(groups[2]!.map((s) => s.query).join()).toContain('pg_advisory_xact_lock_shared');
      expect(groups[2]!.map((s) => s.query).join()).toContain('"WorkflowErasure"');
      expect(groups.length).toBeGreaterThanOrEqual(5);
      expect(groups.length).toBeLessThanOrEqual(6);
      expect(groups[0]!.map((s) => s.query).join()).toContain('"PluginDelivery"');
      expect(groups[1]!.map((s) => s.query).join()).toMatch(/"waitKey"[\s\S]*"triggerKey"/);
      const lock = statements.find((s) => s.query.includes('pg_advisory_xact_lock('))!; // the admission's (the run starts' is _shared)
      const count = statements.find((s) => s.query.includes('count(*) FILTER'))!;
      expect(count.start).toBeLessThan(lock.end);
      expect(groups.find((group) => group.includes(lock))).toContain(count);
      expect(statements.some((s) => s.query.includes('"Customer"'))).toBe(true);
      expect(groups.at(-1)!.map((s) => s.query).join()).toContain('INSERT INTO "WorkflowRun"');

      // Ten runs, admitted at once (RUNNING), each with its record and its first step due.
      const runs = await postgres.database.sql.query<{ status: string; recordId: string; name: string | null; steps: number }>(
        `SELECT r.status::text AS status, r."recordId"::text AS "recordId", r.trigger->'record'->>'name' AS name,
                (SELECT count(*)::int FROM "WorkflowStepRun" s WHERE s."runId" = r.id AND s."dueAt" IS NOT NULL) AS steps
         FROM "WorkflowRun" r WHERE r."workflowId" = $1::uuid AND r."recordId" <> $2::uuid ORDER BY name`,
        [workflowId, warmUp.id],
      );
      expect(runs.map((run) => [run.status, run.name, Number(run.steps)])).toEqual(Array.from({ length: 10 }, (_, i) => ['RUNNING', `Batch ${i}`, 1]));
      expect(new Set(runs.map((run) => run.recordId))).toEqual(new Set(events.map((event) => event.subjectId)));

      // Delivered again (another instance, a restart): the marks say done, nothing more starts.
      const again = createPluginHost([workflowsPlugin()]).start({ runner, prisma: measured.prisma, notifications: null, queueWorkers: false, jobTimers: false });
      again.dispatch(events);
      await again.settled();
      await again.stop();
      const [counted] = await postgres.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE "workflowId" = $1::uuid`, [workflowId]);
      expect(Number(counted!.n)).toBe(11);
    } finally {
      await runtime.stop();
    }
  });

  /**
   * Ten runs waiting for their customer's change, then one batch of ten `customer.updated` events (one per customer,
   * changed by `change(i)`), in a workspace `prepare`d first: the batch's statements, and how many waits still listen after it.
   */
  async function endWaits(workspace: string, wait: Record<string, unknown>, change: (i: number) => Record<string, unknown>, prepare = async (_admin: TestClient) => {}) {
    const { apiKey, workspaceId } = await createWorkspace(postgres.database.prisma, { name: workspace });
    const admin = new TestClient(url, apiKey);
    await prepare(admin);
    const id = await publishedWorkflow(admin, 'Reply', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'reply', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 3 }, ...wait }],
    });
    // Ten runs (the gateway's workers run them), each waiting for its customer's change.
    const customers: string[] = [];
    for (let i = 0; i < 10; i++) {
      const customer = (await admin.query(CUSTOMER, { name: `Waiter ${i}` })).createCustomer.customer.id as string;
      await admin.query(RUN, { id, recordId: customer });
      customers.push(Buffer.from(customer, 'base64').toString().split(':')[1]!);
    }
    const listening = async () => {
      const [row] = await postgres.database.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "WorkflowStepRun" WHERE "workspaceId" = $1::uuid AND "waitKey" IS NOT NULL`,
        [workspaceId],
      );
      return Number(row!.n);
    };
    await until(async () => ((await listening()) === 10 ? true : undefined), 120_000);

    const host = createPluginHost([workflowsPlugin()]);
    const committed: RecordedEvent[] = [];
    const runner = new CommandRunner({ prisma: measured.prisma, beforeCommit: [host.commitHook], pluginObjects: host.objects, onCommitted: (events) => committed.push(...events) });
    const runtime: PluginRuntime = host.start({ runner, prisma: measured.prisma, notifications: null, queueWorkers: false, jobTimers: false });
    try {
      const caller = runner.callerFor({ workspaceId, role: 'ADMIN', actor: 'test' });
      await createCustomer(caller, { name: 'Warm-up' }); // what an instance reads once per process (its interest, settings)
      runtime.dispatch(committed.splice(0));
      await runtime.settled();
      for (const [i, customer] of customers.entries()) await updateCustomer(caller, { id: customer, ...change(i) });
      const events = committed.splice(0).filter((event) => event.type === 'customer.updated');
      expect(events).toHaveLength(10);

      timed.length = 0;
      recording = true;
      runtime.dispatch(events);
      await runtime.settled();
      recording = false;

      const statements = timed.filter((s) => !CLAIMED.test(s.query) && !/^\s*(BEGIN|COMMIT)\b/i.test(s.query));
      console.info(`delivery batch ending waits (${workspace}): ${statements.length} statements\n${statements.map((s) => `  ${s.query.replace(/\s+/g, ' ').slice(0, 100)}`).join('\n')}`);
      return { statements, listening: await listening() };
    } finally {
      await runtime.stop();
    }
  }

  /**
   * Which event ends which wait: read once, with the batch's lookup (runs/wait-for-event.ts `resumedWaits`); each event
   * that ends some writes them (one UPDATE for all it ends). Besides, per batch: the workspace's settings (the
   * subscriber's context), the delivery marks, and the run starts' lock with the erasures read under it (a wait's
   * output is the event: one naming a person erased since ends nothing, runs/erased-events.ts); no read per event.
   */
  function expectOneLookup(statements: readonly Timed[], ending: number, definitions: string[] = []) {
    const updates = statements.filter((s) => /^\s*UPDATE "public"\."WorkflowStepRun"/.test(s.query));
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(ending);
    const others = statements.filter((s) => !updates.includes(s));
    const kind = (query: string) =>
      /"waitKey"[\s\S]*"triggerKey"/.test(query) ? 'lookup' : query.includes('pg_advisory_xact_lock_shared') ? 'runStarts' : (query.match(/"(Workspace|PluginDelivery|WorkflowErasure|Custom\w+Definition)"/)?.[1] ?? query.slice(0, 80));
    expect(others.map((s) => kind(s.query)).sort()).toEqual(['PluginDelivery', 'Workspace', 'WorkflowErasure', 'lookup', 'runStarts', ...definitions].sort());
  }

  it('ends ten waits in one lookup and at most ten updates: no read per event', async () => {
    const { statements, listening } = await endWaits('Waits', {}, (i) => ({ name: `Answered ${i}` }));
    expectOneLookup(statements, 10);
    expect(listening).toBe(0);
  });

  it('with a condition on the event: the same one lookup; the five events for which it holds end their waits, the others wait on', async () => {
    const where = { value: '{{event.payload.changes.name.to}}', operator: 'contains', operand: 'Answered' };
    const { statements, listening } = await endWaits('Conditional waits', { where }, (i) => ({ name: i % 2 ? `Answered ${i}` : `Renamed ${i}` }));
    expectOneLookup(statements, 5);
    expect(listening).toBe(5);
  });

  it('with a condition on a custom field (`changes.tier`, within `customFields`): the workspace’s definitions read once for the batch, not per event', async () => {
    const where = { value: '{{event.payload.changes.tier.to}}', operator: 'eq', operand: 'gold' };
    const defineTier = async (admin: TestClient) => {
      await admin.query(`mutation { defineCustomField(input: { object: CUSTOMER, name: "tier", type: TEXT }) { customField { id } } }`);
    };
    const { statements, listening } = await endWaits('Custom field waits', { where }, (i) => ({ customFields: { tier: i % 2 ? 'gold' : 'silver' } }), defineTier);
    expectOneLookup(statements, 5, ['CustomFieldDefinition', 'CustomObjectDefinition']);
    expect(listening).toBe(5);
  });
});
