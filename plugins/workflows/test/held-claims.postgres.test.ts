// A step row held back by the concurrency limit and one claimed since (its lease running, its run still QUEUED until
// the claim admits it) are told apart by the claim the hold was made under (`heldClaim`, runs/admission.ts), not by
// their due times: with a queue lease shorter than the hold's fallback (10 s) both are due within the fallback, and a
// wake took the claimed row for a held one and made it due again — a second claim then did the step beside the first's
// (an HTTP step sent twice). Bounding the wake's window by the lease instead hid held rows (due 10 s ahead) from every
// wake under short leases. So, with a lease shorter than the fallback and one longer (each its own plugin instance, one
// after the other in this process): a held run is woken as soon as the place frees, before its fallback; and a claimed
// row of a held run is left to its claim, which does the step once.
// On PostgreSQL, the interleavings made with the test's own locks: a customer's row (the running run's step waits for
// it, so its place stays taken), the held run's lock (its claim waits there: leased, not admitted), and the workspace's
// admission lock (the wake that a place freed waits there until the test lets it go).
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CONCURRENCY_FALLBACK_MS } from '../src/runs/admission.js';
import { lockWaiters, PLUGIN_LOCK, pluginLockers } from './plugin-locks.js';
import { CUSTOMER, eventually, ownConnection, publishedWorkflow, rowIdOf, RUN, switchAllOff, until } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

interface StepRow {
  id: string;
  status: string;
  runStatus: string;
  heldBack: string | null;
  claims: number;
  heldClaim: number | null;
  dueAt: Date | null;
  startedAt: Date | null;
}

describe.each([
  { lease: 'shorter', leaseMs: 5000 },
  { lease: 'longer', leaseMs: 30_000 },
])('a queue lease $lease than the fallback ($leaseMs ms)', ({ lease, leaseMs }) => {
  let kit: PluginTestGateway;
  let admin: TestClient;
  /** Holds a customer's row: the running run's step waits for it. */
  let rows: pg.Client;
  /** Holds the plugin's locks (session-level advisory locks). */
  let locks: pg.Client;

  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs })], database: 'postgres' });
    admin = kit.workspace.client;
    rows = await ownConnection(kit);
    locks = await ownConnection(kit);
    expect(leaseMs < CONCURRENCY_FALLBACK_MS).toBe(lease === 'shorter');
  }, 120_000);
  afterEach(async () => {
    await rows.query('ROLLBACK').catch(() => {});
    await locks.query('SELECT pg_advisory_unlock_all()');
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 20 } });
    await switchAllOff(kit, admin);
  });
  afterAll(async () => {
    await rows?.end();
    await locks?.end();
    await kit?.close();
  });

  const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;

  /** The run's (first and only) step, as its row says. */
  async function stepOf(runId: string): Promise<StepRow> {
    const [row] = await kit.database.prisma.$queryRawUnsafe<StepRow[]>(
      `SELECT s.id::text AS id, s.status::text AS status, r.status::text AS "runStatus", r."heldBack"::text AS "heldBack", s.claims, s."heldClaim", s."dueAt", s."startedAt"
       FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId" WHERE r.id = $1::uuid`,
      runId,
    );
    return row!;
  }

  /**
   * Under a limit of one run at a time: a run taking the place (its tag step waits for its customer's row, locked on
   * `rows`) and a run held back behind it, once its hold has committed.
   */
  async function heldBehindRunning(name: string): Promise<{ heldRun: string; held: StepRow }> {
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 1 } });
    const id = await publishedWorkflow(admin, name, { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'seen' }] });
    const running = await customer(`${name} running`);
    const waiting = await customer(`${name} held`);
    await rows.query('BEGIN');
    await rows.query(`SELECT 1 FROM "Customer" WHERE id = $1::uuid FOR UPDATE`, [rowIdOf(running)]);
    await admin.query(RUN, { id, recordId: running });
    await until(async () => ((await lockWaiters(rows)) >= 1 ? true : undefined));
    const heldRun = rowIdOf((await admin.query(RUN, { id, recordId: waiting })).runWorkflow.run.id as string);
    const held = await until(async () => {
      const step = await stepOf(heldRun);
      return step.runStatus === 'QUEUED' && step.heldBack === 'CONCURRENCY' && step.heldClaim !== null ? step : undefined;
    });
    // Held under the claim that found no place.
    expect({ heldClaim: held.heldClaim, claims: held.claims }).toEqual({ heldClaim: held.claims, claims: held.claims });
    return { heldRun, held };
  }

  it('a held run is woken when the place frees up, before its fallback', async () => {
    const { heldRun, held } = await heldBehindRunning('Woken');
    await rows.query('COMMIT');
    const started = await until(async () => (await stepOf(heldRun)).startedAt ?? undefined);
    // Its hold's due time is the fallback, 10 s ahead: further than the shorter lease.
    expect(started.getTime()).toBeLessThan(held.dueAt!.getTime());
    await eventually(kit, async () => expect((await stepOf(heldRun)).runStatus).toBe('SUCCEEDED'));
  }, 60_000);

  /**
   * The held run's step claimed again (its fallback brought early, due now): the claim's transaction waits for the run's
   * lock, held here (or, claimed with the running run's step whose lease ended, for that run's lock first: two
   * transactions wait, the running run's and the claim's). Leased (due a lease ahead), its run held back as it was.
   */
  async function claimedWhileHeld(heldRun: string, held: StepRow): Promise<StepRow> {
    await locks.query(`SELECT pg_advisory_lock(${PLUGIN_LOCK})`, [kit.workspace.workspaceId, `run:${heldRun}`]);
    await locks.query(`UPDATE "WorkflowStepRun" SET "dueAt" = now() WHERE id = $1::uuid`, [held.id]);
    const claimed = await until(async () => {
      const step = await stepOf(heldRun);
      return step.claims === held.claims + 1 && (await lockWaiters(locks)) >= 2 ? step : undefined;
    });
    expect({ runStatus: claimed.runStatus, heldBack: claimed.heldBack }).toEqual({ runStatus: 'QUEUED', heldBack: 'CONCURRENCY' });
    return claimed;
  }

  /**
   * `act` sets off a look at held runs (a wake, a release) that waits for the admission lock, held here, then looks and
   * commits: once nobody holds or waits for the lock, the claimed row is as its claim left it (before the fix, with the
   * shorter lease, it was made due again and a second claim took it).
   */
  async function lookWhileClaimed(heldRun: string, claimed: StepRow, act: () => Promise<unknown>): Promise<void> {
    const workspaceId = kit.workspace.workspaceId;
    await locks.query(`SELECT pg_advisory_lock(${PLUGIN_LOCK})`, [workspaceId, 'admission']);
    await act();
    await until(async () => ((await pluginLockers(locks, workspaceId, 'admission', 'waiting')) > 0 ? true : undefined));
    await locks.query(`SELECT pg_advisory_unlock(${PLUGIN_LOCK})`, [workspaceId, 'admission']);
    await until(async () => ((await pluginLockers(locks, workspaceId, 'admission', 'any')) === 0 ? true : undefined));
    const after = await stepOf(heldRun);
    expect({ claims: after.claims, dueAt: after.dueAt }).toEqual({ claims: claimed.claims, dueAt: claimed.dueAt });
    await locks.query(`SELECT pg_advisory_unlock(${PLUGIN_LOCK})`, [workspaceId, `run:${heldRun}`]);
  }

  it('a claimed step of a held run is not made due again by a wake: its claim does it, once', async () => {
    const { heldRun, held } = await heldBehindRunning('Claimed');
    const claimed = await claimedWhileHeld(heldRun, held);
    // The running run ends: the wake for the place it frees waits for the admission lock.
    await lookWhileClaimed(heldRun, claimed, () => rows.query('COMMIT'));
    await eventually(kit, async () => expect((await stepOf(heldRun)).runStatus).toBe('SUCCEEDED'));
    // Done on that claim, no other.
    expect((await stepOf(heldRun)).claims).toBe(claimed.claims);
  }, 60_000);

  it('a limits change does not make a claimed step of a held run due again (admission.ts `releaseHeldRuns`)', async () => {
    const { heldRun, held } = await heldBehindRunning('Released');
    const claimed = await claimedWhileHeld(heldRun, held);
    // An ADMIN raises the limit: the release of held runs waits for the admission lock.
    await lookWhileClaimed(heldRun, claimed, () => admin.query(SETTINGS, { settings: { maxConcurrentRuns: 2 } }));
    await rows.query('COMMIT');
    await eventually(kit, async () => expect((await stepOf(heldRun)).runStatus).toBe('SUCCEEDED'));
    // Done once: one try (a later claim may admit it, should the limit's change reach this instance's settings after the
    // claim's admission held it once more).
    const [done] = await kit.database.prisma.$queryRawUnsafe<{ attempts: number }[]>(`SELECT attempts FROM "WorkflowStepRun" WHERE id = $1::uuid`, held.id);
    expect(done!.attempts).toBe(1);
  }, 60_000);
});
