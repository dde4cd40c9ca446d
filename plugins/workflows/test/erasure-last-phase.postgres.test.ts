// Run starts during a person's erasure (docs/plugins/workflows.md, "Privacy"): the run starts' lock is taken in the
// erasure's last phase (personal-data.ts `eraseLast`), after the core's own work, so the workspace's run starts go on
// while that work does. The test holds the erasure in its core phase (a trigger on the customer row's deletion waits for
// an advisory lock the test holds) and creates Dan, whose record names Ann: his run starts and commits meanwhile. Before,
// the erasure took the lock first and held it through the core's work, and Dan's run waited for the whole erasure.
// The guarantee stays: Dan's run (it read Ann's email) is within the scrub's bound and scrubbed.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { describe, expect, it } from 'vitest';
import { databaseLockWaiters, eventually, publishedWorkflow, rowIdOf, until, usePostgresGateway } from './support.js';

const CUSTOMER = `mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`;
const ERASE = `mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`;
const EMAIL = 'ann.lastphase@example.com';
/** The advisory lock the trigger waits for (two ints: apart from the SDK's hashtext keys by their values). */
const HOLD = [4711, 20261208];

let kit: PluginTestGateway;
let admin: TestClient;

usePostgresGateway((gateway) => ({ kit, admin } = gateway));

const runsAbout = (recordId: string) =>
  kit.database.prisma.$queryRawUnsafe<{ id: string; erased: boolean }[]>(
    `SELECT id::text AS id, coalesce(trigger->>'erased', 'false')::boolean AS erased FROM "WorkflowRun" WHERE "recordId" = $1::uuid`,
    recordId,
  );

describe("a person's erasure and the workspace's run starts", () => {
  it('lets runs start and commit while the core erases, and scrubs the ones naming the person', async () => {
    await publishedWorkflow(admin, 'Every new customer', { trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'new' }] });
    const ann = (await admin.query(CUSTOMER, { name: 'Ann Lastphase', email: EMAIL })).createCustomer.customer.id as string;
    await kit.settled();
    // The core's phase, held: the customer row's deletion waits in a trigger for the test's advisory lock.
    await kit.database.prisma.$executeRawUnsafe(
      `CREATE FUNCTION test_hold_erasure() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN PERFORM pg_advisory_xact_lock_shared(${HOLD[0]}, ${HOLD[1]}); RETURN OLD; END $$`,
    );
    await kit.database.prisma.$executeRawUnsafe(`CREATE TRIGGER test_hold_erasure BEFORE DELETE ON "Customer" FOR EACH ROW EXECUTE FUNCTION test_hold_erasure()`);
    let erased: Promise<unknown> | undefined;
    let ended = false;
    let dan = '';
    try {
      await kit.database.sql.withSession(async (holder) => {
        await holder.query('SELECT pg_advisory_lock($1, $2)', HOLD);
        erased = admin.query(ERASE, { c: ann }).finally(() => (ended = true));
        await until(async () => (ended || (await databaseLockWaiters(kit)) >= 1 ? true : undefined));
        expect(ended).toBe(false);
        // Dan names Ann; his run reads his record (and her email in it) and commits, the erasure still held.
        dan = rowIdOf((await admin.query(CUSTOMER, { name: `Dan (cc ${EMAIL})` })).createCustomer.customer.id as string);
        const started = await until(async () => ((await runsAbout(dan)).length ? true : undefined), 60_000);
        expect(started).toBe(true);
        expect(ended).toBe(false);
        await holder.query('SELECT pg_advisory_unlock($1, $2)', HOLD);
      });
    } finally {
      await kit.database.prisma.$executeRawUnsafe('DROP TRIGGER test_hold_erasure ON "Customer"');
      await kit.database.prisma.$executeRawUnsafe('DROP FUNCTION test_hold_erasure()');
    }
    await erased;
    // The erasure's bound, read under the lock in its last phase, covers Dan's run: written before it.
    const [danRun] = await runsAbout(dan);
    const [bound] = await kit.database.prisma.$queryRawUnsafe<{ covered: boolean; timed: boolean }[]>(
      `SELECT e."untilRunId" >= $1::uuid AS covered, e."erasedAt" >= r."insertedAt" AS timed
         FROM "WorkflowErasure" e, "WorkflowRun" r WHERE e."customerId" = $2::uuid AND r.id = $1::uuid`,
      danRun!.id,
      rowIdOf(ann),
    );
    expect(bound).toEqual({ covered: true, timed: true });
    await eventually(kit, async () => {
      const [left] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "WorkflowErasure" WHERE "scrubbedAt" IS NULL');
      expect(left!.n).toBe(0);
    }, 60_000);
    expect(await runsAbout(dan)).toEqual([{ id: danRun!.id, erased: true }]);
    const [named] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE trigger::text LIKE '%' || $1 || '%'`, EMAIL);
    expect(named!.n).toBe(0);
  }, 180_000);
});
