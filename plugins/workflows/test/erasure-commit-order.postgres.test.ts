// An erased email is judged by commit order, not by clocks (runs/erased-events.ts): an event numbered before the
// erasure's `customer.erased` that names the email (Carol's creation, her name quoting Ann's address) is left out when
// it is delivered after the erasure, and a customer re-created after it and given the email starts their workflows — with
// the gateway's clock (events' `occurredAt`) half an hour ahead of the database's or behind it. Before, the email was
// compared with `erasedAt` plus 5 minutes: ahead, Carol's run started with Ann's address; behind (or within the 5
// minutes), the re-created customer's workflows did not run. The kept row holds no email (a salted hash:
// runs/erasure-email.ts). Another workspace's erasure of the same address leaves this one's runs and events alone.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SKEW_MS, skewClock, unskewClock } from './clock-skew.js';
import { databaseLockWaiters, eventually, publishedWorkflow, until, usePostgresGateway } from './support.js';

const CUSTOMER = `mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`;
const UPDATE_EMAIL = `mutation ($id: ID!, $email: String!) { updateCustomer(input: { id: $id, email: $email }) { customer { id } } }`;
const ERASE = `mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`;

let kit: PluginTestGateway;

usePostgresGateway((gateway) => ({ kit } = gateway));
afterEach(unskewClock);

const waiters = (count: number, done: () => boolean) => until(async () => (done() || (await databaseLockWaiters(kit)) >= count ? true : undefined));
const count = async (query: string, ...values: unknown[]) => (await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(query, ...values))[0]!.n;
/** The workspace's runs whose trigger names `needle`. */
const runsNaming = (workspaceId: string, needle: string) =>
  count(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE "workspaceId" = $1::uuid AND trigger::text ILIKE '%' || $2 || '%'`, workspaceId, needle);
const customer = async (client: TestClient, name: string, email?: string) => (await client.query(CUSTOMER, { name, email })).createCustomer.customer.id as string;
const scrubbed = (workspaceId: string) =>
  eventually(kit, async () => expect(await count(`SELECT count(*)::int AS n FROM "WorkflowErasure" WHERE "workspaceId" = $1::uuid AND "scrubbedAt" IS NULL`, workspaceId)).toBe(0), 60_000);

/**
 * Carol's creation (her name quoting Ann's email) queued behind a held batch while Ann is erased, then delivered; then
 * Ann re-created with the same email.
 */
async function throughErasure(client: TestClient, workspaceId: string, tag: string) {
  const email = `ann.order.${tag}@example.com`;
  await publishedWorkflow(client, 'Every new customer', { trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'new' }] });
  await publishedWorkflow(client, 'Every new email', { trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['email'] }, steps: [{ id: 'tag', kind: 'addTag', tag: 'mail' }] });
  const ann = await customer(client, `Ann Order ${tag}`, email);
  await kit.settled();
  const admission = [`crm:plugin:workflows:${workspaceId}`, 'admission'];
  let erased: Promise<unknown> | undefined;
  await kit.database.sql.withSession(async (holder) => {
    // A creation whose batch holds the subscriber's lane (the test holds the admission lock it waits for).
    await holder.query('SELECT pg_advisory_lock(hashtext($1), hashtext($2))', admission);
    await customer(client, `Held ${tag}`);
    await waiters(1, () => false);
    // Carol's creation, committed before the erasure: it waits in the lane, in memory, as delivered.
    await customer(client, `Carol Order ${tag}, colleague of <${email}>`);
    let ended = false;
    erased = client.query(ERASE, { c: ann }).finally(() => (ended = true));
    await waiters(2, () => ended);
    await holder.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', admission);
  });
  await erased;
  await kit.settled();
  // Ann again, after the erasure: someone's new record, given the same address (its `customer.updated` names it).
  const again = await customer(client, `Ann Again ${tag}`);
  await kit.settled();
  await client.query(UPDATE_EMAIL, { id: again, email });
  await kit.settled();
  await scrubbed(workspaceId);
  expect(await runsNaming(workspaceId, `Held ${tag}`)).toBe(1);
  expect(await runsNaming(workspaceId, `Carol Order ${tag}`)).toBe(0);
  // Her creation's run and her new email's (before: left out, as recorded by the erasure's time plus 5 minutes).
  expect(await runsNaming(workspaceId, `Ann Again ${tag}`)).toBe(2);
  expect(await runsNaming(workspaceId, email)).toBe(1);
  // The kept row (within its hour) holds no email, in any column.
  const kept = await kit.database.prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(w)::text AS row FROM "WorkflowErasure" w WHERE "workspaceId" = $1::uuid`, workspaceId);
  expect(kept).toHaveLength(1);
  expect(kept[0]!.row).toMatch(/"emailHash":"[0-9a-f]{64}"/);
  expect(kept[0]!.row.toLowerCase()).not.toContain(email);
}

describe('an erased email, by commit order', () => {
  it('leaves out an event recorded before and starts the re-created customer’s runs, the gateway’s clock ahead', async () => {
    // A workspace of its own: its API key is first used under the skew (clock-skew.ts).
    skewClock(SKEW_MS);
    const { client, workspaceId } = await kit.createWorkspace(`Ahead ${Math.random()}`);
    await throughErasure(client, workspaceId, 'ahead');
  }, 180_000);

  it('does so with the gateway’s clock behind', async () => {
    skewClock(-SKEW_MS);
    const { client, workspaceId } = await kit.createWorkspace(`Behind ${Math.random()}`);
    await throughErasure(client, workspaceId, 'behind');
  }, 180_000);

  it('is another workspace’s business only: its erasure of the same address leaves this one’s runs and events alone', async () => {
    const email = 'ann.shared@example.com';
    const other = await kit.createWorkspace(`Other ${Math.random()}`);
    const mine = await kit.createWorkspace(`Mine ${Math.random()}`);
    for (const { client } of [other, mine]) {
      await publishedWorkflow(client, 'Every new customer', { trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'new' }] });
    }
    // Mine: a run naming the address, written before the other's erasure.
    await customer(mine.client, 'Ann Mine', email);
    // The other: more events than mine, then its Ann erased (its seqs are its own: never compared with mine).
    const theirs = await customer(other.client, 'Ann Theirs', email);
    for (const name of ['One', 'Two', 'Three', 'Four']) await customer(other.client, `${name} Theirs`);
    await kit.settled();
    await other.client.query(ERASE, { c: theirs });
    await kit.settled();
    await scrubbed(other.workspaceId);
    // Mine, after, while the other's row is kept: an event naming the address starts its run (the kept erasures read
    // are this workspace's only).
    await customer(mine.client, `Dan Mine, colleague of <${email}>`);
    await kit.settled();
    expect(await runsNaming(mine.workspaceId, 'Ann Mine')).toBe(1);
    expect(await runsNaming(mine.workspaceId, 'Dan Mine')).toBe(1);
    expect(await runsNaming(mine.workspaceId, email)).toBe(2);
    expect(await runsNaming(other.workspaceId, email)).toBe(0);
  }, 180_000);
});

