// A person's erasure over a long run history, on PostgreSQL (docs/plugins/workflows.md "Privacy"): the request does
// only what the indexes bound (the runs about the person, at most 1,000 of their unfinished ones stopped under locks),
// and the background scrub then goes through every run, 500 a pass, until no run names them; its row is then gone.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { eventually, publishedWorkflow, rowIdOf } from './support.js';

const CUSTOMER = `mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`;
const ERASE = `mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`;
const NAMING = 50_000;
const ABOUT_WAITING = 1_200;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 30_000 })], database: 'postgres' });
  admin = kit.workspace.client;
});
afterAll(() => kit?.close());

const one = async (text: string, ...values: unknown[]) => (await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(text, ...values))[0]!.n;

it(`erases a person named by ${NAMING} runs: the request bounded, the rest scrubbed in the background`, async () => {
  const ann = rowIdOf((await admin.query(CUSTOMER, { name: 'Ann Many', email: 'ann.many@example.com' })).createCustomer.customer.id);
  const workflowId = rowIdOf(await publishedWorkflow(admin, 'Bulk', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'x' }] }));
  const [version] = await kit.database.prisma.$queryRawUnsafe<{ id: string }[]>('SELECT id FROM "WorkflowVersion" WHERE "workflowId" = $1::uuid LIMIT 1', workflowId);
  const insert = (count: number, from: number, status: string, recordId: string | null) =>
    kit.database.prisma.$executeRawUnsafe(
      `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, "recordType", "recordId", trigger, "finishedAt")
       SELECT gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, 'bulk-' || g, $4::"WorkflowRunStatus", 'Customer', coalesce($5::uuid, gen_random_uuid()),
         jsonb_build_object('record', jsonb_build_object('note', 'cc ' || $6::text, 'n', g)), CASE WHEN $4 = 'WAITING' THEN NULL ELSE now() END
       FROM generate_series($7::int, $7::int + $8::int - 1) g`,
      kit.workspace.workspaceId, workflowId, version!.id, status, recordId, 'ann.many@example.com', from, count,
    );
  // Runs about others naming her; runs about her under way (more than one transaction may lock); others' runs.
  await insert(NAMING, 1, 'SUCCEEDED', null);
  await insert(ABOUT_WAITING, NAMING + 1, 'WAITING', ann);
  await kit.database.prisma.$executeRawUnsafe(
    `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger, "finishedAt")
     SELECT gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, 'other-' || g, 'SUCCEEDED', '{"record": {"email": "joann.many@example.com"}}', now() FROM generate_series(1, 100) g`,
    kit.workspace.workspaceId, workflowId, version!.id,
  );
  await kit.database.prisma.$executeRawUnsafe('ANALYZE "WorkflowRun"');

  const started = Date.now();
  await admin.query(ERASE, { c: Buffer.from(`Customer:${ann}`).toString('base64') });
  console.log(`erasePerson with ${NAMING + ABOUT_WAITING} runs naming the person: ${Date.now() - started} ms`);

  const naming = `SELECT count(*)::int AS n FROM "WorkflowRun" WHERE trigger::text LIKE '%cc ann.many@example.com%' OR "recordId" = $1::uuid`;
  await eventually(kit, async () => expect(await one(naming, ann)).toBe(0), 300_000);
  console.log(`scrubbed in ${Date.now() - started} ms`);
  expect(await one('SELECT count(*)::int AS n FROM "WorkflowErasure" WHERE "scrubbedAt" IS NULL')).toBe(0);
  // Her runs under way are gone; those naming her kept, scrubbed; others' untouched.
  expect(await one(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE trigger->>'erased' = 'true'`)).toBe(NAMING);
  expect(await one(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE trigger::text LIKE '%joann.many@example.com%'`)).toBe(100);
  expect(await one(`SELECT count(*)::int AS n FROM "WorkflowRun" WHERE status <> 'SUCCEEDED'`)).toBe(0);
}, 600_000);
