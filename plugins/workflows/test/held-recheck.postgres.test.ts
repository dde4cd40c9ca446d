// A hold committed on one instance while another frees the place (runs/admission.ts `recheckHeld`). The instance that
// frees a place wakes the holds it knows of — those its own process made (`wakeHeld`'s hint) — so a hold made on
// another instance is not its to see; and the hold's own admission counted before the place was freed. The holder
// looks again once its hold has committed: the place is free, and the held run goes on at once instead of after the
// 10 s fallback. Two instances on one PostgreSQL database, in two processes (each its own hints): B (a gateway process)
// holds the run; A (a gateway in this process, its queue polling once in ten minutes) cancels the running run. The
// interleaving is made on purpose: B's hold waits for the held run's row, locked here, until A's cancel has committed.
import { createWorkspace } from '@crm/core';
import { type Database, fromPool } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { createGateway, createLogger, type Gateway } from '@crm/gateway';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { TestClient } from '@crm/plugin-testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowsPlugin } from '../src/index.js';
import { CONCURRENCY_FALLBACK_MS } from '../src/runs/admission.js';
import { type GatewayProcess, killGatewayProcess, startGatewayProcess } from './gateway-process.js';
import { lockWaiters } from './plugin-locks.js';
import { CREATE, CUSTOMER, ENABLE, PUBLISH, rowIdOf, RUN, startReceiver, until } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const CANCEL = `mutation ($id: ID!) { cancelWorkflowRun(input: { id: $id }) { run { status } } }`;

let postgres: TestPostgres;
let apiKey: string;
let b: GatewayProcess | undefined;
let a: Gateway | undefined;
/** A's own pool (a process's): the gateway does not close it. */
let database: Database | undefined;
let client: TestClient;
/** The test's own connection: it holds the held run's row. */
let own: pg.Client;
/** Requests naming "Running" are held open (their run executes until the test ends); others are answered. */
const held: (() => void)[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  postgres = await createTestPostgres(createPluginHost([workflowsPlugin()]).migrations);
  ({ apiKey } = await createWorkspace(postgres.database.prisma, { name: 'Recheck' }));
  receiver = await startReceiver(
    () => 200,
    () => (receiver.received.at(-1)!.body.includes('Running') ? new Promise<void>((release) => held.push(release)) : Promise.resolve()),
  );
  // B polls its queue every 100 ms: it claims the held run's step when its wait ends.
  b = await startGatewayProcess(postgres.url, { CRM_PLUGINS: 'workflows', WORKFLOWS_POLL_MS: '100' });
  // A claims only when told of new work (its own mutations): not the held run's step at its wait's end.
  database = fromPool(new pg.Pool({ connectionString: postgres.url, max: 5 }));
  a = createGateway({
    database,
    plugins: createPluginHost([workflowsPlugin({ pollMs: 600_000 })]),
    webhooks: { allowPrivateTargets: true },
    clvRefresh: false,
    monthEndSnapshots: false,
    logger: createLogger('error'),
  });
  client = new TestClient(await a.listen(0), apiKey);
  own = new pg.Client({ connectionString: postgres.url });
  await own.connect();
}, 120_000);
afterAll(async () => {
  await own?.query('ROLLBACK').catch(() => {});
  for (const release of held.splice(0)) release();
  await own?.end();
  if (b) await killGatewayProcess(b);
  await a?.close(1000);
  await database?.close();
  await receiver?.close();
  await postgres?.drop();
});

async function published(name: string, steps: unknown[]): Promise<string> {
  const id = (await client.query(CREATE, { name, definition: { trigger: { kind: 'manual', object: 'Customer' }, steps } })).createWorkflow.workflow.id as string;
  await client.query(PUBLISH, { id });
  await client.query(ENABLE, { id, enabled: true });
  return id;
}

/** A run of the workflow on a new customer: its global id. */
async function started(workflow: string, name: string): Promise<string> {
  const customer = (await client.query(CUSTOMER, { name })).createCustomer.customer.id as string;
  return (await client.query(RUN, { id: workflow, recordId: customer })).runWorkflow.run.id as string;
}

const stepsOf = async (runId: string) =>
  (
    await own.query<{ stepId: string; status: string; dueAt: Date | null; startedAt: Date | null; runStatus: string }>(
      `SELECT s."stepId", s.status::text AS status, s."dueAt", s."startedAt", r.status::text AS "runStatus"
       FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId" WHERE r.id = $1::uuid ORDER BY s.seq`,
      [runId],
    )
  ).rows;

describe('a hold rechecked once it has committed, across two instances', () => {
  it('a run held on one instance while the other frees the place goes on at once, not after the fallback', async () => {
    expect((await client.query(SETTINGS, { settings: { maxConcurrentRuns: 1 } })).updatePluginSettings.plugin.settings.maxConcurrentRuns).toBe(1);
    const later = await published('Waits, then calls', [
      { id: 'pause', kind: 'wait', for: { seconds: 4 } },
      { id: 'call', kind: 'httpRequest', url: receiver.url, body: { run: '{{trigger.record.name}}' } },
    ]);
    const now = await published('Calls', [{ id: 'call', kind: 'httpRequest', url: receiver.url, body: { run: '{{trigger.record.name}}' } }]);

    // The held run-to-be waits (it holds no place); the running one takes the place, its request held open.
    const heldRun = rowIdOf(await started(later, 'Held Hana'));
    await until(async () => ((await stepsOf(heldRun))[0]?.status === 'WAITING' ? true : undefined));
    const runningRun = await started(now, 'Running Rob');
    await until(async () => (receiver.received.some((r) => r.body.includes('Running Rob')) ? true : undefined));

    // The held run's row is locked here before its wait ends: B's hold (its admission counted: no place) waits for it.
    await own.query('BEGIN');
    const { rows: locked } = await own.query<{ waitEnd: Date; ahead: boolean }>(
      `SELECT s."dueAt" AS "waitEnd", s."dueAt" > clock_timestamp() AS ahead FROM "WorkflowRun" r JOIN "WorkflowStepRun" s ON s."runId" = r.id AND s."stepId" = 'pause'
       WHERE r.id = $1::uuid FOR NO KEY UPDATE OF r`,
      [heldRun],
    );
    expect(locked[0]!.ahead).toBe(true);
    const waitEnd = locked[0]!.waitEnd;
    await until(async () => ((await lockWaiters(own)) >= 1 ? true : undefined), 20_000);

    // A frees the place: its cancel commits while B's hold is under way (A has held nothing: it wakes nobody).
    expect((await client.query(CANCEL, { id: runningRun })).cancelWorkflowRun.run.status).toBe('CANCELLED');
    await own.query('COMMIT');

    // B's hold commits, B looks again, finds the place free: the held run's request is sent long before the fallback
    // (its hold came at the wait's end at the earliest, so the fallback is at least 10 s after it).
    const [, call] = await until(async () => {
      const steps = await stepsOf(heldRun);
      return steps[1]?.startedAt ? steps : undefined;
    }, 30_000);
    expect(call!.startedAt!.getTime()).toBeLessThan(waitEnd.getTime() + CONCURRENCY_FALLBACK_MS);
    await until(async () => ((await stepsOf(heldRun))[0]?.runStatus === 'SUCCEEDED' ? true : undefined), 30_000);
  }, 90_000);
});
