// The per-workspace concurrency limit (`maxConcurrentRuns`): it counts runs executing steps (RUNNING); a waiting run —
// on a wait, an event, or a failed step's backoff — holds no place, and every way back into execution goes through
// the limit: a mass wake lets in as many runs as there are places, the others wait QUEUED (`heldBack: CONCURRENCY`)
// and go on as places free up. Through HTTP on a real gateway (PGlite).
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, publishedWorkflow, rowIdOf, RUN, startReceiver, switchAllOff } from './support.js';

const RENAME = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const HISTORY = `query ($id: ID!) { workflowRuns(workflowId: $id, first: 100) { id status heldBack admittedAt steps { stepId status attempts error } } }`;

interface Run {
  id: string;
  status: string;
  heldBack: string | null;
  admittedAt: string | null;
  steps: { stepId: string; status: string; attempts: number; error: string | null }[];
}

let kit: PluginTestGateway;
let admin: TestClient;
let hold = false;
const held: (() => void)[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let failing: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })],
    webhooks: { allowPrivateTargets: true },
  });
  admin = kit.workspace.client;
  // Holds each request open while `hold` is set: a run whose HTTP step is in flight is executing (RUNNING).
  receiver = await startReceiver(() => 200, () => (hold ? new Promise<void>((release) => held.push(release)) : Promise.resolve()));
  failing = await startReceiver(() => 503);
});
afterEach(async () => {
  hold = false;
  for (const release of held.splice(0)) release();
  await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 20, stepAttempts: 3, retryBackoffMs: 2000 } });
  await switchAllOff(kit, admin);
});
afterAll(async () => {
  hold = false;
  for (const release of held.splice(0)) release();
  await receiver?.close();
  await failing?.close();
  await kit?.close();
});

/** A global id's row id (`WorkflowRun:<uuid>`, base64). */
const history = async (id: string) => (await admin.query(HISTORY, { id })).workflowRuns as Run[];
const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;

describe('the concurrency limit', () => {
  it('holds no place for waiting runs, and a mass wake lets in only as many runs as the limit has places', async () => {
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 2 } });
    const id = await publishedWorkflow(admin, 'Mass wake', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'renamed', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 1 } },
        { id: 'call', kind: 'httpRequest', url: receiver.url, body: { run: 'x' } },
      ],
    });
    const target = await customer('Wanda Wake');
    const count = 6;
    for (let i = 0; i < count; i++) await admin.query(RUN, { id, recordId: target });
    // Six runs wait at once under a limit of two: waiting holds no place.
    await eventually(kit, async () => expect((await history(id)).map((r) => r.status)).toEqual(Array(count).fill('WAITING')));

    // One event wakes all six. Two are let in and hold their places while their requests hang; the other four are held back.
    hold = true;
    await admin.query(RENAME, { id: target, name: 'Wanda Woken' });
    const runs = await eventually(kit, async () => {
      const found = await history(id);
      expect(found.filter((r) => r.status === 'QUEUED' && r.heldBack === 'CONCURRENCY')).toHaveLength(count - 2);
      expect(receiver.received.length).toBeGreaterThanOrEqual(2);
      return found;
    });
    expect(receiver.received).toHaveLength(2);
    expect(runs.filter((r) => r.status === 'RUNNING')).toHaveLength(2);
    // The held-back runs had started before: a wake is not a new start (their admission time is their first one).
    expect(runs.every((r) => r.admittedAt !== null)).toBe(true);

    // As places free up, the others go on, two at a time; none is dropped.
    hold = false;
    for (const release of held.splice(0)) release();
    const done = await eventually(kit, async () => {
      for (const release of held.splice(0)) release();
      const found = await history(id);
      expect(found.map((r) => r.status)).toEqual(Array(count).fill('SUCCEEDED'));
      return found;
    }, 30_000);
    expect(receiver.received).toHaveLength(count);
    expect(done.flatMap((r) => r.steps.filter((s) => s.stepId === 'call').map((s) => s.attempts))).toEqual(Array(count).fill(1));
  });

  it('a run waiting for a failed step’s retry holds no place; its retry comes back through the limit', async () => {
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 1 } });
    const flaky = await publishedWorkflow(admin, 'Backing off', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'call', kind: 'httpRequest', url: failing.url, retry: { attempts: 2, backoff: { hours: 1 } } }],
    });
    const quick = await publishedWorkflow(admin, 'Quick', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'quick' }] });
    const target = await customer('Bo Backoff');
    await admin.query(RUN, { id: flaky, recordId: target });
    const [backingOff] = await eventually(kit, async () => {
      const found = await history(flaky);
      expect(found[0]).toMatchObject({ status: 'WAITING', steps: [{ stepId: 'call', status: 'PENDING', attempts: 1 }] });
      return found;
    });
    expect(backingOff!.steps[0]!.error).toContain('HTTP 503');
    // The only place is free while the first run backs off for an hour: another run goes through.
    await admin.query(RUN, { id: quick, recordId: target });
    await eventually(kit, async () => expect((await history(quick))[0]!.status).toBe('SUCCEEDED'));

    // Its retry is due (an ADMIN lowering the limit looks at held and due runs again; here the backoff is cut short)
    // while another run holds the place: it is held back, then goes on when the place frees.
    hold = true;
    const holder = await publishedWorkflow(admin, 'Holder', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'call', kind: 'httpRequest', url: receiver.url }] });
    await admin.query(RUN, { id: holder, recordId: target });
    await eventually(kit, async () => expect(held.length).toBe(1));
    await kit.database.prisma.$executeRawUnsafe(`UPDATE "WorkflowStepRun" SET "dueAt" = now() WHERE "runId" = $1::uuid`, rowIdOf(backingOff!.id));
    // A queue round now (the queue polls again when its batch in flight, the held request, is done).
    await kit.gateway.plugins!.drainQueues();
    await eventually(kit, async () => expect((await history(flaky))[0]).toMatchObject({ status: 'QUEUED', heldBack: 'CONCURRENCY' }));
    hold = false;
    for (const release of held.splice(0)) release();
    const [failed] = await eventually(kit, async () => {
      const found = await history(flaky);
      expect(found[0]!.status).toBe('FAILED');
      return found;
    });
    // Two tries in all (the step's own `retry`, not the workspace's three).
    expect(failed!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 2 });
    expect((await history(holder))[0]!.status).toBe('SUCCEEDED');
  });
});
