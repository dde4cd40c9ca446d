import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

// An own-records key's batch creates and updates of every object with an owner whose bulk input names it (a custom
// object's `createContracts`/`updateContracts` take `customFields` only: its records are the key's user's; its single
// `updateContract(ownerId)` is own-records-batch.test.ts's) (own-records-batch.test.ts covers
// customers' and companies' upserts and customer imports): a row giving its record to someone else is refused in place
// (FORBIDDEN naming the owner field, in `extensions.rows` of the call's BAD_USER_INPUT) and nothing of the call is
// written. An object whose writer creates whole batches (`createBatch`: tickets, companies, customers) is not run
// again row by row for it (3 rows or 12: the same statements); deals and tasks are created row by row anyway.

let t: TestGateway;
let admin: TestClient;
let other: TestWorkspace;
let rep: TestClient;
let ana: string;
let ben: string;
let customerId: string;
let theirCustomerId: string;

const rowIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const segmentPresence = (sql: string) => /FROM "public"\."Segment" AS "t0" WHERE "t0"\."workspaceId" = \$1 ORDER BY/.test(sql);
const during = async (work: () => Promise<unknown>) => (await t.sql.during(work)).filter((sql) => !segmentPresence(sql));
type RowError = { index: number; field: string | null; message: string; code: string };
const rowsOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions?.rows as RowError[] | undefined;
const CREATES = (object: string) => `your API key's role creates only its own ${object} records`;
const KEEPS = (object: string) => `your API key's role keeps ${object} records its own: it cannot hand them to anyone else`;

/** Every object with an owner and a batch create, with what one of its records needs. */
const objects = [
  { name: 'Deal', plural: 'Deals', owner: 'ownerId', batch: false, input: (i: number, customer = customerId) => ({ title: `Deal ${i}`, customerId: customer }) },
  { name: 'Task', plural: 'Tasks', owner: 'assigneeId', batch: false, input: (i: number, customer = customerId) => ({ title: `Task ${i}`, customerId: customer }) },
  { name: 'Ticket', plural: 'Tickets', owner: 'assigneeId', batch: true, input: (i: number, customer = customerId) => ({ subject: `Ticket ${i}`, customerId: customer }) },
  { name: 'Company', plural: 'Companies', owner: 'ownerId', batch: true, input: (i: number, _customer?: string) => ({ name: `Company ${i}` }) },
  { name: 'Customer', plural: 'Customers', owner: 'ownerId', batch: true, input: (i: number, _customer?: string) => ({ name: `Customer ${i}` }) },
] as const;
type Target = (typeof objects)[number];
const field = (object: Target) => object.plural.charAt(0).toLowerCase() + object.plural.slice(1);
const create = (object: Target) => `mutation ($inputs: [${object.name}Input!]!) { create${object.plural}(inputs: $inputs) { count ${field(object)} { id } } }`;
const update = (object: Target) => `mutation ($ids: [ID!]!, $patch: ${object.name}Patch!) { update${object.plural}(where: { ids: $ids }, patch: $patch) { count } }`;
/** The ids of what a create returned. */
const idsOf = (object: Target, data: Record<string, { [key: string]: { id: string }[] }>) => data[`create${object.plural}`]![field(object)]!.map((record) => record.id);
/** The workspace's records of `object` by owner (row ids), in creation order. */
const owners = async (object: Target, workspaceId = t.workspace.workspaceId) => {
  const delegate = (t.database.prisma as unknown as Record<string, { findMany(args: object): Promise<Record<string, unknown>[]> }>)[object.name.charAt(0).toLowerCase() + object.name.slice(1)]!;
  return (await delegate.findMany({ where: { workspaceId }, orderBy: { createdAt: 'asc' } })).map((row) => row[object.owner] ?? null);
};

beforeAll(async () => {
  t = await startTestGateway({ rateLimit: { perMinute: 0 } });
  admin = t.workspace.client;
  other = await t.createWorkspace('Owner B');
  const user = async (name: string) => (await admin.query(`mutation ($n: String!, $e: String!) { createUser(input: { name: $n, email: $e }) { user { id } } }`, { n: name, e: `${name}@own.test` })).createUser.user.id as string;
  [ana, ben] = [await user('ana'), await user('ben')];
  const roleId = (await admin.query(`mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "Own records", permissions: $p }) { role { id } } }`, {
    p: [{ object: 'User', read: true }, ...objects.map(({ name }) => ({ object: name, read: true, create: true, update: true, ownRecordsOnly: true }))],
  })).createRole.role.id;
  const secret = (await admin.query(`mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`, { i: { name: 'ana', roleId, userId: ana } })).createApiKey.secret;
  rep = t.client(secret);
  const CUSTOMER = `mutation { createCustomer(input: { name: "A customer" }) { customer { id } } }`;
  customerId = (await rep.query(CUSTOMER)).createCustomer.customer.id;
  theirCustomerId = (await other.client.query(CUSTOMER)).createCustomer.customer.id;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe.each(objects)('an own-records key’s batch writes of $name records', (object) => {
  const inputs = (count: number, handOff: number) => Array.from({ length: count }, (_, i) => ({ ...object.input(i), [object.owner]: i === handOff ? ben : ana }));

  it('a create giving one row to someone else: that row refused in place, nothing created', async () => {
    // Its own rows alone: created (and what the key's first write reads once per process, read).
    expect(idsOf(object, await rep.query(create(object), { inputs: inputs(3, -1) }))).toHaveLength(3);
    const before = await owners(object);
    const results: Awaited<ReturnType<TestClient['request']>>[] = [];
    const small = await during(async () => results.push(await rep.request(create(object), { inputs: inputs(3, 1) })));
    const large = await during(async () => results.push(await rep.request(create(object), { inputs: inputs(12, 1) })));
    for (const result of results) {
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result)).toBe('BAD_USER_INPUT');
      expect(rowsOf(result), JSON.stringify(result)).toEqual([{ index: 1, field: object.owner, code: 'FORBIDDEN', message: `${object.owner}: ${CREATES(object.name)}` }]);
    }
    expect(await owners(object)).toEqual(before);
    if (object.batch) expect(large.length, `${object.name}\n${large.join('\n')}`).toBe(small.length);
  });

  it('an update giving its records to someone else: each refused in place, none changed', async () => {
    const ids = idsOf(object, await rep.query(create(object), { inputs: inputs(4, -1) }));
    const before = await owners(object);
    const result = await rep.request(update(object), { ids, patch: { [object.owner]: ben } });
    expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result)).toBe('BAD_USER_INPUT');
    // Every record it would hand off, each in place.
    expect(rowsOf(result), JSON.stringify(result)).toEqual(ids.map((_, index) => ({ index, field: object.owner, code: 'FORBIDDEN', message: `${object.owner}: ${KEEPS(object.name)}` })));
    expect(await owners(object)).toEqual(before);
    // Its own user's id: kept its own, updated.
    expect((await rep.query(update(object), { ids, patch: { [object.owner]: ana } }))[`update${object.plural}`].count).toBe(4);
  });

  it('attacks: another workspace’s records are not reached; a read-only key creates nothing', async () => {
    const theirIds = idsOf(object, await other.client.query(create(object), { inputs: [object.input(0, theirCustomerId)] }));
    const result = await rep.request(update(object), { ids: theirIds, patch: { [object.owner]: ana } });
    expect(JSON.stringify(result.errors)).toContain('NOT_FOUND');
    expect(await owners(object, other.workspaceId)).toEqual(object.name === 'Customer' ? [null, null] : [null]);
    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    const before = await owners(object);
    expect(JSON.stringify((await readOnly.request(create(object), { inputs: inputs(2, -1) })).errors)).toContain('FORBIDDEN');
    expect(await owners(object)).toEqual(before);
  });
});
