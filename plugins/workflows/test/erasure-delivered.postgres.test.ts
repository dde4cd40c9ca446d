// Events recorded before a person's erasure and delivered after it (docs/plugins/workflows.md, "Privacy";
// runs/erased-events.ts): Ann's `customer.updated` waits in the subscriber's lane (the test holds the batch before it
// at the admission lock) while Ann is erased; it is delivered after the erasure's commit, from the event as it was.
// Before, its run started from that event (Ann's id, her name) with an `insertedAt` after `erasedAt`, where the scrub
// does not look, and kept them. Now the batch reads the erasures under the run starts' lock and leaves the event out.
// With the gateway's clock ahead of the database's (the event's `occurredAt` after the erasure's `erasedAt`), the
// erasure was not read (`erasedAt` before the batch's oldest event) nor the event counted as recorded before it: the
// erased id now matches whatever the times.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SKEW_MS, skewClock, unskewClock } from './clock-skew.js';
import { databaseLockWaiters, eventually, publishedWorkflow, rowIdOf, until, usePostgresGateway } from './support.js';

const CUSTOMER = `mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`;
const RENAME = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;
const ERASE = `mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`;

let kit: PluginTestGateway;
let admin: TestClient;

usePostgresGateway((gateway) => ({ kit, admin } = gateway));

const waiters = (count: number, done: () => boolean) => until(async () => (done() || (await databaseLockWaiters(kit)) >= count ? true : undefined));
/** Runs and steps whose text names `needle` (a run's trigger, record, error; a step's input, output, error, wait). */
const naming = async (needle: string) => {
  const [row] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM "WorkflowRun" r
     WHERE concat_ws(' ', r."recordId"::text, r.trigger::text, r.error) ILIKE '%' || $1 || '%'
        OR EXISTS (SELECT 1 FROM "WorkflowStepRun" s WHERE s."runId" = r.id
                   AND concat_ws(' ', s.input::text, s.output::text, s.error, s."waitKey") ILIKE '%' || $1 || '%')`,
    needle,
  );
  return row!.n;
};

/** Ann's rename queued behind Bob's creation (held at the admission lock) while Ann is erased; then delivered. */
async function queuedThroughErasure(client: TestClient, workspaceId: string, tag: string) {
  const email = `ann.queued.${tag}@example.com`;
  await publishedWorkflow(client, 'Every new customer', { trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'new' }] });
  await publishedWorkflow(client, 'Every renamed customer', { trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['name'] }, steps: [{ id: 'tag', kind: 'addTag', tag: 'renamed' }] });
  const annGlobal = (await client.query(CUSTOMER, { name: `Ann Queued ${tag}`, email })).createCustomer.customer.id as string;
  const ann = rowIdOf(annGlobal);
  await kit.settled();
  const admission = [`crm:plugin:workflows:${workspaceId}`, 'admission'];
  let erased: Promise<unknown> | undefined;
  await kit.database.sql.withSession(async (holder) => {
    // Bob's creation: its batch holds the subscriber's lane (the test holds the admission lock it waits for).
    await holder.query('SELECT pg_advisory_lock(hashtext($1), hashtext($2))', admission);
    await client.query(CUSTOMER, { name: `Bob Before ${tag}` });
    await waiters(1, () => false);
    // Ann's rename, committed: its event waits in the lane, in memory, as delivered.
    await client.query(RENAME, { id: annGlobal, name: `Ann Renamed ${tag}` });
    // The erasure: it waits for Bob's batch (the run starts' lock); Ann's batch then waits for it.
    let ended = false;
    erased = client.query(ERASE, { c: annGlobal }).finally(() => (ended = true));
    await waiters(2, () => ended);
    await holder.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', admission);
  });
  await erased;
  await kit.settled();
  await eventually(kit, async () => {
    const [left] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "WorkflowErasure" WHERE "scrubbedAt" IS NULL');
    expect(left!.n).toBe(0);
  }, 60_000);
  // Ann's rename was delivered (marked), and started nothing naming her: before, a run about her, after `erasedAt`.
  const [delivered] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM "PluginDelivery" d JOIN "Event" e ON e.id = d."eventId" WHERE e.type = 'customer.updated' AND e."subjectId" = $1::uuid`,
    ann,
  );
  expect(delivered!.n).toBeGreaterThan(0);
  expect(await naming(ann)).toBe(0);
  expect(await naming(email)).toBe(0);
  expect(await naming(`Ann Renamed ${tag}`)).toBe(0);
  // Bob's run started as usual.
  const [bob] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE trigger::text LIKE $1`, `%Bob Before ${tag}%`);
  expect(bob!.n).toBeGreaterThan(0);
}

afterEach(unskewClock);

describe('an event queued before an erasure and delivered after it', () => {
  it('starts no run naming the erased person', async () => {
    await queuedThroughErasure(admin, kit.workspace.workspaceId, 'same');
  }, 120_000);

  it('starts none with the gateway\'s clock ahead of the database\'s', async () => {
    // A workspace of its own: its API key is first used under the skew (clock-skew.ts).
    skewClock(SKEW_MS);
    const skewed = await kit.createWorkspace(`Skewed ${Math.random()}`);
    await queuedThroughErasure(skewed.client, skewed.workspaceId, 'ahead');
  }, 120_000);
});
