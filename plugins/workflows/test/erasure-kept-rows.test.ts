// An erasure's row keeps the person's id and hashed email for an hour past its time (runs/erasure-scrub.ts
// ERASURE_KEPT_MS), for the check of events delivered late (runs/erased-events.ts); then it goes, whatever the plugin's
// switch (the queue works while it is off). And a
// delivery that failed before the erasure and is redelivered after that hour (the row gone) starts no run: core's
// erasure scrubbed the event's payload to its marker, which is left out on sight.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { eventually, publishedWorkflow, RUN, rowIdOf } from './support.js';

const CUSTOMER = `mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`;
const RENAME = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;
const ERASE = `mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`;
const SWITCH = `mutation ($on: Boolean!) { setPluginEnabled(input: { pluginId: "workflows", enabled: $on }) { plugin { id } } }`;
const REDELIVER = `mutation { redeliverPluginDeliveries(input: { pluginId: "workflows" }) { redelivered } }`;

let kit: PluginTestGateway;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 5000 })] });
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

interface Row { emailHash: string | null; row: string; erasedAt: Date; scrubbedAt: Date | null; dueAt: Date | null }
const rowsOf = (workspaceId: string) =>
  kit.database.prisma.$queryRawUnsafe<Row[]>(
    `SELECT "emailHash", row_to_json(w)::text AS row, "erasedAt", "scrubbedAt", "dueAt" FROM "WorkflowErasure" w WHERE "workspaceId" = $1::uuid ORDER BY "createdAt"`,
    workspaceId,
  );
/** The hour past: the workspace's erasures as if asked two hours ago. */
const twoHoursAgo = (workspaceId: string) =>
  kit.database.prisma.$executeRawUnsafe(
    `UPDATE "WorkflowErasure" SET "erasedAt" = "erasedAt" - interval '2 hours', "scrubbedAt" = "scrubbedAt" - interval '2 hours', "dueAt" = "dueAt" - interval '2 hours' WHERE "workspaceId" = $1::uuid`,
    workspaceId,
  );
const customer = async (client: TestClient, name: string, email: string) => (await client.query(CUSTOMER, { name, email })).createCustomer.customer.id as string;

describe('an erasure’s kept row', () => {
  it('with workflows switched off, keeps the email hashed only, and goes once its hour is past (still off)', async () => {
    const { client, workspaceId } = await kit.createWorkspace('Switched off');
    await client.query(SWITCH, { on: false });
    const ann = await customer(client, 'Ann Off', 'ann.off@example.com');
    await client.query(ERASE, { c: ann });
    // No run to search: scrubbed at once, due (deleted) an hour past its time. No email in clear in any column (before:
    // the address as it was).
    const [row] = await rowsOf(workspaceId);
    expect(row!.emailHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.row.toLowerCase()).not.toContain('ann.off@example.com');
    expect(row!.scrubbedAt).not.toBeNull();
    expect(new Date(row!.dueAt!).getTime() - new Date(row!.erasedAt).getTime()).toBe(60 * 60 * 1000);
    // The hour past, workflows still off: the queue deletes it (before: paused with the plugin, kept until the next
    // erasure or the switch on).
    await twoHoursAgo(workspaceId);
    await eventually(kit, async () => expect(await rowsOf(workspaceId)).toEqual([]));
  }, 120_000);

  it('is deleted after its hour; a failed delivery about the person redelivered then starts no run', async () => {
    const { client, workspaceId } = await kit.createWorkspace('Redelivered');
    await publishedWorkflow(client, 'Every customer update', { trigger: { kind: 'event', eventType: 'customer.updated' }, steps: [{ id: 'pause', kind: 'wait', for: { days: 1 } }] });
    // A run in the workspace: the erasure has history to search (its row is not written scrubbed).
    const manual = await publishedWorkflow(client, 'By hand', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'x' }] });
    const annGlobal = await customer(client, 'Ann Redelivered', 'ann.redelivered@example.com');
    const ann = rowIdOf(annGlobal);
    await client.query(RUN, { id: manual, recordId: await customer(client, 'Bob Kept', 'bob.kept@example.com') });
    await client.query(RENAME, { id: annGlobal, name: 'Ann Renamed Again' });
    await kit.settled();
    // Ann's update's delivery as if it had failed (its run not started).
    const failed = await kit.database.prisma.$executeRawUnsafe(
      `UPDATE "PluginDelivery" SET status = 'FAILED' WHERE "workspaceId" = $1::uuid AND "pluginId" = 'workflows' AND "eventType" = 'customer.updated'
         AND "eventId" IN (SELECT id FROM "Event" WHERE "subjectId" = $2::uuid)`,
      workspaceId,
      ann,
    );
    expect(failed).toBeGreaterThan(0);
    const dropped = await kit.database.prisma.$executeRawUnsafe(`DELETE FROM "WorkflowRun" WHERE "recordId" = $1::uuid OR trigger::text LIKE '%' || $1 || '%'`, ann);
    expect(dropped).toBeGreaterThan(0);
    await client.query(ERASE, { c: annGlobal });
    await eventually(kit, async () => expect((await rowsOf(workspaceId)).every((kept) => kept.scrubbedAt !== null)).toBe(true), 60_000);
    expect(await rowsOf(workspaceId)).toHaveLength(1);
    // The hour past: the queue deletes the row, needles and all.
    await twoHoursAgo(workspaceId);
    await eventually(kit, async () => expect(await rowsOf(workspaceId)).toEqual([]));
    // Redelivered (as the catch-up at the gateway's start would): the event is core's erased marker now, its subject
    // still Ann's id. Before, a run about her, after the erasure, where no scrub looks.
    expect((await client.query(REDELIVER)).redeliverPluginDeliveries.redelivered).toBeGreaterThan(0);
    await kit.settled();
    await eventually(kit, async () => {
      const [pending] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM "PluginDelivery" WHERE "workspaceId" = $1::uuid AND "pluginId" = 'workflows' AND status <> 'DONE'`,
        workspaceId,
      );
      expect(pending!.n).toBe(0);
    });
    const [runs] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "WorkflowRun" WHERE "recordId" = $1::uuid OR trigger::text LIKE '%' || $1 || '%'`,
      ann,
    );
    expect(runs!.n).toBe(0);
  }, 120_000);
});
