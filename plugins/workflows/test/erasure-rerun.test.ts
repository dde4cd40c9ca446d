// `rerunWorkflowRun` of a run naming a person erased, before the scrub reached it (docs/plugins/workflows.md,
// "Privacy"): the rerun copies the run's snapshot, and its copy is written after the erasure's time, where the scrub
// does not look. It is refused (CONFLICT) until the scrub has been through the run; then the copy is the erased one.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, publishedWorkflow, RUN, runsOf, startTwoWorkspaces } from './support.js';

const CUSTOMER = `mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`;
const ERASE = `mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`;
const RERUN = `mutation ($id: ID!) { rerunWorkflowRun(input: { id: $id }) { run { id rerunOf } } }`;
const EMAIL = 'ann.rerun@example.com';

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Other rerun'));
});
afterAll(async () => {
  await kit?.close();
});

const naming = async () => {
  const [row] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE trigger::text ILIKE '%' || $1 || '%'`, EMAIL);
  return row!.n;
};

describe('re-running a run that names an erased person', () => {
  it('is refused while the scrub has not reached it, and copies the scrubbed snapshot after', async () => {
    const workflow = await publishedWorkflow(admin, 'Tag by hand', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'x' }] });
    const ann = (await admin.query(CUSTOMER, { name: 'Ann Rerun', email: EMAIL })).createCustomer.customer.id as string;
    // Bob's record names Ann: his run's snapshot does.
    const bob = (await admin.query(CUSTOMER, { name: `Bob (cc ${EMAIL})` })).createCustomer.customer.id as string;
    const run = (await admin.query(RUN, { id: workflow, recordId: bob })).runWorkflow.run.id as string;
    await eventually(kit, async () => expect((await runsOf(admin, workflow)).find((r) => r.id === run)?.status).toBe('SUCCEEDED'));
    expect(await naming()).toBe(1);

    // The erasure's scrub is parked (its row written not due).
    await kit.database.prisma.$executeRawUnsafe(`CREATE FUNCTION park_rerun_erasure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW."dueAt" := NULL; RETURN NEW; END $$`);
    await kit.database.prisma.$executeRawUnsafe('CREATE TRIGGER park_rerun_erasure BEFORE INSERT ON "WorkflowErasure" FOR EACH ROW EXECUTE FUNCTION park_rerun_erasure()');
    await admin.query(ERASE, { c: ann });
    await kit.database.prisma.$executeRawUnsafe('DROP TRIGGER park_rerun_erasure ON "WorkflowErasure"');

    // Before: a new run, written after the erasure's time, with Ann's email.
    const refused = await admin.request(RERUN, { id: run });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });
    expect(refused.errors?.[0]?.message).toContain('names a person who was erased');
    expect(await naming()).toBe(1);
    // Another workspace does not see the run (as before).
    expect((await other.request(RERUN, { id: run })).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });

    await kit.database.prisma.$executeRawUnsafe('UPDATE "WorkflowErasure" SET "dueAt" = now()');
    await eventually(kit, async () => {
      const [left] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "WorkflowErasure" WHERE "scrubbedAt" IS NULL');
      expect(left!.n).toBe(0);
    });
    // Scrubbed: the rerun copies the erased snapshot.
    expect((await admin.query(RERUN, { id: run })).rerunWorkflowRun.run.rerunOf).toBe(run);
    expect(await naming()).toBe(0);
  });
});
