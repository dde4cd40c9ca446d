// An erasure's scrub stops at the highest run id there was when it was asked (WorkflowErasure.untilRunId,
// runs/erasure-scrub.ts): uuid7 run ids keep growing, so without the bound a busy workspace's new runs kept the scrub
// going and its row (its needles) was never deleted. Runs after the bound naming the customer are left as they
// are (their ids made greater than any uuid7 for now, so the bound is known whatever the clock).
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRUB_BATCH } from '../src/runs/erasure-scrub.js';
import { CUSTOMER as CREATE_CUSTOMER, eventually, publishedWorkflow, rowIdOf, RUN, startTwoWorkspaces } from './support.js';

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Erasure bound B'));
});
afterAll(() => kit?.close());

const CUSTOMER = '0190aaaa-0000-7000-8000-00000000c0de';
const WITH_EMAIL = `mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`;
const ERASE = `mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`;
const BOUND = '80000000-0000-7000-8000-000000000000';

describe('erasure scrub bound', () => {
  it('scrubs the runs up to its bound and stops there: later runs do not keep it going', async () => {
    const workspaceId = kit.workspace.workspaceId;
    const globalId = await publishedWorkflow(admin, 'Bound', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'x' }] });
    const workflowId = Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
    const [version] = await kit.database.prisma.$queryRawUnsafe<{ id: string }[]>('SELECT id FROM "WorkflowVersion" WHERE "workflowId" = $1::uuid LIMIT 1', workflowId);
    // 3 runs before the bound, more than a batch after it; all of them name the customer in their trigger.
    const insert = (prefix: string, count: number) =>
      kit.database.prisma.$executeRawUnsafe(
        `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger, "finishedAt")
         SELECT ($4 || lpad(g::text, 12, '0'))::uuid, $1::uuid, $2::uuid, $3::uuid, $4 || g, 'SUCCEEDED', jsonb_build_object('record', jsonb_build_object('id', $5::text)), now()
         FROM generate_series(1, $6::int) g`,
        workspaceId,
        workflowId,
        version!.id,
        prefix,
        CUSTOMER,
        count,
      );
    await insert('00000000-0000-7000-8000-', 3);
    await insert('ffffffff-ffff-7fff-bfff-', SCRUB_BATCH + 100);
    await kit.database.prisma.$executeRawUnsafe(
      `INSERT INTO "WorkflowErasure" (id, "workspaceId", "customerId", "untilRunId", "dueAt") VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, now())`,
      workspaceId,
      CUSTOMER,
      BOUND,
    );
    await eventually(kit, async () => {
      const [left] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "WorkflowErasure" WHERE "scrubbedAt" IS NULL');
      expect(left!.n).toBe(0);
    });
    const named = await kit.database.prisma.$queryRawUnsafe<{ before: boolean; n: number }[]>(
      `SELECT id <= $2::uuid AS before, count(*)::int AS n FROM "WorkflowRun" WHERE "workspaceId" = $1::uuid AND trigger::text LIKE '%' || $3 || '%' GROUP BY 1 ORDER BY 1`,
      workspaceId,
      BOUND,
      CUSTOMER,
    );
    // Before the bound: scrubbed. After: untouched (the scrub never read them).
    expect(named).toEqual([{ before: false, n: SCRUB_BATCH + 100 }]);
  });

  it('runs get uuid7 ids (runs/start-run.ts): a later run has a greater id, so the bound leaves later runs out', async () => {
    const id = await publishedWorkflow(admin, 'Ids', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'x' }] });
    const customer = (await admin.query(CREATE_CUSTOMER, { name: 'Ids' })).createCustomer.customer.id as string;
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) runs.push(rowIdOf((await admin.query(RUN, { id, recordId: customer })).runWorkflow.run.id as string));
    // Version 7 (before: randomUUID's version 4, in no order), each greater than the one before.
    expect(runs.map((run) => run[14])).toEqual(['7', '7', '7']);
    expect([...runs].sort()).toEqual(runs);
  });

  it('leaves alone the runs written after the erasure, whatever their id: an old v4 id as the bound, a re-created customer', async () => {
    const workspaceId = kit.workspace.workspaceId;
    const email = 'ann.again@example.com';
    const globalId = await publishedWorkflow(admin, 'Again', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'x' }] });
    const workflowId = rowIdOf(globalId);
    const [version] = await kit.database.prisma.$queryRawUnsafe<{ id: string }[]>('SELECT id FROM "WorkflowVersion" WHERE "workflowId" = $1::uuid LIMIT 1', workflowId);
    // A run from before uuid7 (a random v4 id at the top of the range) naming Ann: above every uuid7, the erasure's bound.
    const old = 'ffffffff-ffff-4fff-bfff-00000000a6a1';
    await kit.database.prisma.$executeRawUnsafe(
      `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger, "finishedAt")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, 'v4-run', 'SUCCEEDED', jsonb_build_object('record', jsonb_build_object('note', 'cc ' || $5::text)), now())`,
      old,
      workspaceId,
      workflowId,
      version!.id,
      email,
    );
    const ann = (await admin.query(WITH_EMAIL, { name: 'Ann', email })).createCustomer.customer.id as string;
    // The erasure's scrub is parked (its row written not due) until the re-created customer's run exists.
    await kit.database.prisma.$executeRawUnsafe(`CREATE FUNCTION park_erasure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW."dueAt" := NULL; RETURN NEW; END $$`);
    await kit.database.prisma.$executeRawUnsafe('CREATE TRIGGER park_erasure BEFORE INSERT ON "WorkflowErasure" FOR EACH ROW EXECUTE FUNCTION park_erasure()');
    await admin.query(ERASE, { c: ann });
    await kit.database.prisma.$executeRawUnsafe('DROP TRIGGER park_erasure ON "WorkflowErasure"');
    const [erasure] = await kit.database.prisma.$queryRawUnsafe<{ untilRunId: string; erasedAt: Date | null }[]>('SELECT "untilRunId"::text AS "untilRunId", "erasedAt" FROM "WorkflowErasure" WHERE "scrubbedAt" IS NULL');
    expect(erasure!.untilRunId >= old).toBe(true); // this v4 run's, or the earlier test's even higher ones
    expect(erasure!.erasedAt).not.toBeNull();
    // Ann again, same email: her run names her, its id (uuid7) below the bound.
    const again = (await admin.query(WITH_EMAIL, { name: 'Ann', email })).createCustomer.customer.id as string;
    const run = rowIdOf((await admin.query(RUN, { id: globalId, recordId: again })).runWorkflow.run.id as string);
    expect(run < old).toBe(true);
    await kit.database.prisma.$executeRawUnsafe('UPDATE "WorkflowErasure" SET "dueAt" = now()');
    await eventually(kit, async () => {
      const [left] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "WorkflowErasure" WHERE "scrubbedAt" IS NULL');
      expect(left!.n).toBe(0);
    });
    // The old run scrubbed; the new one kept as it was (before: searched too, scrubbed — cancelled had it been under way).
    const runs = await kit.database.prisma.$queryRawUnsafe<{ id: string; erased: boolean; names: boolean; error: string | null }[]>(
      `SELECT id::text, coalesce(trigger->>'erased', 'false')::boolean AS erased, trigger::text LIKE '%' || $3 || '%' AS names, error
       FROM "WorkflowRun" WHERE id IN ($1::uuid, $2::uuid) ORDER BY id`,
      run,
      old,
      email,
    );
    expect(runs).toEqual([
      { id: run, erased: false, names: true, error: null },
      { id: old, erased: true, names: false, error: null },
    ]);
  });

  it('an erasure written without a bound (an instance older than it, during a rolling upgrade) scrubs the whole history', async () => {
    const workspaceId = kit.workspace.workspaceId;
    const customer = '0190bbbb-0000-7000-8000-00000000c0de';
    const globalId = await publishedWorkflow(admin, 'Unbound', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'x' }] });
    const workflowId = Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
    const [version] = await kit.database.prisma.$queryRawUnsafe<{ id: string }[]>('SELECT id FROM "WorkflowVersion" WHERE "workflowId" = $1::uuid LIMIT 1', workflowId);
    // Runs naming the customer at both ends of the id range.
    await kit.database.prisma.$executeRawUnsafe(
      `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger, "finishedAt")
       SELECT id::uuid, $1::uuid, $2::uuid, $3::uuid, 'unbound:' || id, 'SUCCEEDED', jsonb_build_object('record', jsonb_build_object('id', $4::text)), now()
       FROM unnest(ARRAY['00000000-0000-7000-8000-0000000000b1', 'fffffffe-ffff-7fff-bfff-0000000000b2']) id`,
      workspaceId,
      workflowId,
      version!.id,
      customer,
    );
    await kit.database.prisma.$executeRawUnsafe(
      `INSERT INTO "WorkflowErasure" (id, "workspaceId", "customerId", "untilRunId", "dueAt") VALUES (gen_random_uuid(), $1::uuid, $2::uuid, NULL, now())`,
      workspaceId,
      customer,
    );
    await eventually(kit, async () => {
      const [left] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "WorkflowErasure" WHERE "scrubbedAt" IS NULL');
      expect(left!.n).toBe(0);
    });
    // Both scrubbed (before, a row without a bound was deleted unscanned: both kept the customer's id).
    const [named] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "WorkflowRun" WHERE "workspaceId" = $1::uuid AND trigger::text LIKE '%' || $2 || '%'`,
      workspaceId,
      customer,
    );
    expect(named!.n).toBe(0);
    const [erased] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "WorkflowRun" WHERE "triggerId" LIKE 'unbound:%' AND trigger = '{"event": null, "record": null, "erased": true}'::jsonb`,
    );
    expect(erased!.n).toBe(2);
  });
});
