// Two concurrent rotations of a workflow's signing secret, on PostgreSQL, made deterministic: the test holds the
// workflow's row (FOR UPDATE) on a connection of its own, starts both rotations, waits until both are blocked, then
// lets them go. Each must replace the secret the other left: the last one's previous secret is the first one's new
// secret. Had they read the row without the workflow's lock, both would have read the same secret, and the one the
// first made (which receivers may already use) would be lost.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { ownConnection, publishedWorkflow, rowIdOf, switchAllOff, until } from './support.js';

const ROTATE = `mutation ($id: ID!) { rotateWorkflowSigningSecret(input: { id: $id, graceSeconds: 3600 }) { workflow { signingSecret } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
/** The test's own connection to the gateway's database: it holds the workflow's row. */
let own: pg.Client;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })], database: 'postgres' });
  admin = kit.workspace.client;
  own = await ownConnection(kit);
}, 120_000);
afterAll(async () => {
  await own?.end();
  if (kit) await switchAllOff(kit, admin);
  await kit?.close();
});


describe('concurrent signing-secret rotations (PostgreSQL)', () => {
  it('each replaces the secret the other left: none is lost', async () => {
    const id = await publishedWorkflow(admin, 'Rotated twice', { trigger: { kind: 'webhook' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 0 } }] });
    const workflowId = rowIdOf(id);
    await own.query('BEGIN');
    await own.query(`SELECT id FROM "Workflow" WHERE id = $1::uuid FOR UPDATE`, [workflowId]);
    const rotations = [admin.query(ROTATE, { id }), admin.query(ROTATE, { id })];
    // Both are blocked (on the row, or one on the workflow's lock behind the other) before either writes.
    await until(async () => {
      const { rows } = await own.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      return rows[0]!.n === 2 ? true : undefined;
    });
    await own.query('COMMIT');
    const made = (await Promise.all(rotations)).map((r) => r.rotateWorkflowSigningSecret.workflow.signingSecret as string);
    const row = await kit.database.prisma.workflow.findUniqueOrThrow({ where: { id: workflowId }, select: { secret: true, previousSecret: true } });
    // The last rotation's new secret is current, and the secret it replaced is the first one's new secret.
    expect(made).toContain(row.secret);
    expect(row.previousSecret).toBe(made.find((secret) => secret !== row.secret));
  });
});
