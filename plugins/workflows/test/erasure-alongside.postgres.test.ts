// A run started alongside a person's erasure (docs/plugins/workflows.md, "Privacy"): its transaction read the record
// naming them before the erasure and commits after it. The erasure takes the run starts' lock alone
// (runs/start-run.ts), so it waits for that start to commit, and its scrub then finds the run. Before, the erasure went
// on, bounded its scrub by the highest run id it saw (this run's, written later, is higher) and the snapshot kept the
// person's email. PostgreSQL: two transactions at once; the run's start is held at the admission lock by the test.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { describe, expect, it } from 'vitest';
import { databaseLockWaiters, eventually, publishedWorkflow, rowIdOf, until, usePostgresGateway } from './support.js';

const CUSTOMER = `mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`;
const ERASE = `mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`;
const EMAIL = 'ann.alongside@example.com';

let kit: PluginTestGateway;
let admin: TestClient;

usePostgresGateway((gateway) => ({ kit, admin } = gateway));

/** Bob's runs: whether their snapshot was erased. */
const runsAbout = async (recordId: string) =>
  kit.database.prisma.$queryRawUnsafe<{ erased: boolean }[]>(
    `SELECT coalesce(trigger->>'erased', 'false')::boolean AS erased FROM "WorkflowRun" WHERE "recordId" = $1::uuid`,
    recordId,
  );
/** Waits (without `settled`: a delivery is held on purpose) until `count` backends wait for a lock, or `done`. */
const waiters = (count: number, done: () => boolean) => until(async () => (done() || (await databaseLockWaiters(kit)) >= count ? true : undefined));

describe('a run started alongside an erasure', () => {
  it('is committed before the erasure reads its bound, and scrubbed', async () => {
    await publishedWorkflow(admin, 'Every new customer', { trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'new' }] });
    const ann = (await admin.query(CUSTOMER, { name: 'Ann Alongside', email: EMAIL })).createCustomer.customer.id as string;
    await kit.settled();
    const admission = [`crm:plugin:workflows:${kit.workspace.workspaceId}`, 'admission'];
    let erased: Promise<unknown> | undefined;
    let bob = '';
    await kit.database.sql.withSession(async (holder) => {
      // Bob's record names Ann: the run his creation starts reads it, then waits for the admission lock (held here).
      await holder.query('SELECT pg_advisory_lock(hashtext($1), hashtext($2))', admission);
      bob = rowIdOf((await admin.query(CUSTOMER, { name: `Bob (cc ${EMAIL})` })).createCustomer.customer.id as string);
      await waiters(1, () => false);
      // The erasure, meanwhile: it waits for that start (the run starts' lock). Before, it went on and ended.
      let ended = false;
      erased = admin.query(ERASE, { c: ann }).finally(() => (ended = true));
      await waiters(2, () => ended);
      await holder.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', admission);
    });
    await erased;
    // The run's snapshot named Ann; the scrub, bounded past it, erased it.
    await eventually(kit, async () => {
      const [left] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "WorkflowErasure" WHERE "scrubbedAt" IS NULL');
      expect(left!.n).toBe(0);
    }, 60_000);
    expect(await runsAbout(bob)).toEqual([{ erased: true }]);
    const [named] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE trigger::text LIKE '%' || $1 || '%'`, EMAIL);
    expect(named!.n).toBe(0);
  }, 120_000);
});
