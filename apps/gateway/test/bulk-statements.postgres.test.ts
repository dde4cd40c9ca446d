import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

// Bulk writes of customers cost a fixed number of statements per call, whatever its size (docs/performance.md, "Bulk
// writes and import"): the rows are locked, read, inserted, updated and given their stage history with one statement
// each, on PostgreSQL (what an import of 100,000 customers runs on). The results are the single commands' results.

let t: TestGateway;
let client: TestClient;
let companyId: string;

beforeAll(async () => {
  t = await startTestGateway({ database: 'postgres', rateLimit: { perMinute: 0 } });
  client = t.workspace.client;
  companyId = (await client.query(`mutation { createCompany(input: { name: "Batch Co", domain: "batch.test" }) { company { id } } }`)).createCompany.company.id;
});
afterAll(async () => {
  await t?.close();
});

const CREATE = `mutation ($inputs: [CustomerInput!]!) { createCustomers(inputs: $inputs) { count customers { id } } }`;
const UPDATE = `mutation ($ids: [ID!]!, $patch: CustomerPatch!) { updateCustomers(where: { ids: $ids }, patch: $patch) { count } }`;
const UPSERT = `mutation ($inputs: [CustomerInput!]!) { upsertCustomers(inputs: $inputs, on: EMAIL) { created updated } }`;

const inputs = (count: number, tag: string) =>
  Array.from({ length: count }, (_, i) => ({ name: `${tag} ${i}`, email: `${tag}${i}@batch.test`, companyId, lifecycleStage: 'LEAD', tags: [tag] }));

// Whether the workspace has saved segments is a per-workspace fact each process caches (at most 10 s): the read
// that fills it is one statement or none whatever the batch's size, so it is left out of the comparisons.
const segmentPresence = (sql: string) => /^SELECT .* FROM "public"\."Segment" AS "t0" WHERE "t0"\."workspaceId" = \$1 ORDER BY/.test(sql);

const during = async (work: () => Promise<unknown>) => (await t.sql.during(work)).filter((sql) => !segmentPresence(sql));

async function create(count: number, tag: string): Promise<{ ids: string[]; statements: string[] }> {
  let ids: string[] = [];
  const statements = await during(async () => {
    ids = (await client.query(CREATE, { inputs: inputs(count, tag) })).createCustomers.customers.map((c: { id: string }) => c.id);
  });
  return { ids, statements };
}

const rowIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

/** A count over the rows of a set of customers ($1, their row ids), read straight from the database. */
const dbCount = async (sql: string, ids: string[]) => Number((await t.database.prisma.$queryRawUnsafe<{ n: bigint }[]>(sql, ids.map(rowIdOf)))[0]!.n);

describe('customers written in batches', () => {
  it('creating 10 or 200 customers costs the same statements; each gets its row, its first stage and its events', async () => {
    const small = await create(10, 'small');
    const large = await create(200, 'large');
    expect(large.ids).toHaveLength(200);
    expect(large.statements.length, large.statements.join('\n')).toBe(small.statements.length);
    expect(small.statements.length).toBeLessThanOrEqual(12);
    expect(await dbCount(`SELECT count(*) AS n FROM "LifecycleChange" WHERE "customerId" = ANY($1::uuid[]) AND "fromStage" IS NULL AND "toStage" = 'LEAD'`, large.ids)).toBe(200);
    expect(await dbCount(`SELECT count(*) AS n FROM "Event" WHERE "subjectId" = ANY($1::uuid[]) AND type = 'customer.created'`, large.ids)).toBe(200);
    const first = await client.query(`query ($id: ID!) { customer(id: $id) { name email lifecycleStage tags company { id } } }`, { id: large.ids[7] });
    expect(first.customer).toEqual({ name: 'large 7', email: 'large7@batch.test', lifecycleStage: 'LEAD', tags: ['large'], company: { id: companyId } });
  });

  it('updating 10 or 200 customers costs the same statements; field changes, stage history and events as updateCustomer', async () => {
    const small = await create(10, 'usmall');
    const large = await create(200, 'ularge');
    const patch = { lifecycleStage: 'CUSTOMER', tags: ['moved'], phone: '+1 415 555 0100' };
    const smallRun = await during(() => client.query(UPDATE, { ids: small.ids, patch }));
    const largeRun = await during(() => client.query(UPDATE, { ids: large.ids, patch }));
    expect(largeRun.length, largeRun.join('\n')).toBe(smallRun.length);
    expect(smallRun.length).toBeLessThanOrEqual(16);
    expect(await dbCount(`SELECT count(*) AS n FROM "LifecycleChange" WHERE "customerId" = ANY($1::uuid[]) AND "fromStage" = 'LEAD' AND "toStage" = 'CUSTOMER'`, large.ids)).toBe(200);
    const events = await t.database.prisma.event.findMany({ where: { type: 'customer.updated', subjectId: rowIdOf(large.ids[3]!) } });
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual({
      changed: ['phone', 'lifecycleStage', 'tags'],
      changes: { phone: { from: null, to: '+1 415 555 0100' }, lifecycleStage: { from: 'LEAD', to: 'CUSTOMER' }, tags: { from: ['ularge'], to: ['moved'] } },
    });
    const read = await client.query(`query ($id: ID!) { customer(id: $id) { name lifecycleStage tags phone stageHistory { fromStage toStage } } }`, { id: large.ids[3] });
    expect(read.customer).toEqual({ name: 'ularge 3', lifecycleStage: 'CUSTOMER', tags: ['moved'], phone: '+1 415 555 0100', stageHistory: [{ fromStage: null, toStage: 'LEAD' }, { fromStage: 'LEAD', toStage: 'CUSTOMER' }] });
  });

  it('upserting a mix of new and existing customers costs the same statements for 10 and 200 rows', async () => {
    await create(100, 'mix');
    // Half of each call matches existing customers by email (case-insensitive), half is new.
    const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ name: `Mixed ${from + i}`, email: `MIX${from + i}@batch.test` }));
    const small = await during(async () => expect((await client.query(UPSERT, { inputs: rows(95, 10) })).upsertCustomers).toEqual({ created: 5, updated: 5 }));
    const large = await during(async () => expect((await client.query(UPSERT, { inputs: rows(0, 200) })).upsertCustomers).toEqual({ created: 95, updated: 105 }));
    expect(large.length, large.join('\n')).toBe(small.length);
    expect(await client.query(`{ customers(filter: { email: { endsWith: "@batch.test" }, name: { startsWith: "Mixed" } }) { totalCount } }`)).toEqual({ customers: { totalCount: 200 } });
  });

  it('companies too: upserting 10 or 200 companies by domain costs the same statements; changes recorded per company', async () => {
    const companies = (from: number, count: number, size: string) =>
      Array.from({ length: count }, (_, i) => ({ name: `Firm ${from + i}`, domain: `firm${from + i}.test`, size }));
    const UPSERT_COMPANIES = `mutation ($inputs: [CompanyInput!]!) { upsertCompanies(inputs: $inputs, on: DOMAIN) { created updated } }`;
    await client.query(UPSERT_COMPANIES, { inputs: companies(0, 100, 'SMALL') });
    const small = await during(async () => expect((await client.query(UPSERT_COMPANIES, { inputs: companies(95, 10, 'LARGE') })).upsertCompanies).toEqual({ created: 5, updated: 5 }));
    const large = await during(async () => expect((await client.query(UPSERT_COMPANIES, { inputs: companies(0, 200, 'MEDIUM') })).upsertCompanies).toEqual({ created: 95, updated: 105 }));
    expect(large.length, large.join('\n')).toBe(small.length);
    const firm = (await client.query(`{ companies(filter: { domain: { eq: "firm97.test" } }) { edges { node { id size } } } }`)).companies.edges[0].node;
    expect(firm.size).toBe('MEDIUM');
    const updates = await t.database.prisma.event.findMany({ where: { type: 'company.updated', subjectId: rowIdOf(firm.id) }, orderBy: { seq: 'asc' } });
    expect(updates.map((event) => (event.payload as { changes: { size: unknown } }).changes.size)).toEqual([
      { from: 'SMALL', to: 'LARGE' },
      { from: 'LARGE', to: 'MEDIUM' },
    ]);
  });

  it('a call\'s events are numbered at commit in the order they were emitted, without gaps, in one statement', async () => {
    const lastSeq = async () => (await t.database.prisma.eventSequence.findUnique({ where: { workspaceId: t.workspace.workspaceId } }))?.lastSeq ?? 0n;
    const before = { eventSeq: await lastSeq() };
    const { ids } = await create(120, 'ordered');
    const events = await t.database.prisma.event.findMany({ where: { workspaceId: t.workspace.workspaceId, seq: { gt: before.eventSeq } }, orderBy: { seq: 'asc' } });
    // 120 customer.created in the input's order, then their 120 stage changes in the same order.
    expect(events.map((event) => Number(event.seq! - before.eventSeq))).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
    expect(events.map((event) => event.type)).toEqual([...Array(120).fill('customer.created'), ...Array(120).fill('customer.stage_changed')]);
    expect(events.slice(0, 120).map((event) => event.subjectId)).toEqual(ids.map(rowIdOf));
    expect(events.slice(120).map((event) => event.subjectId)).toEqual(ids.map(rowIdOf));
    expect((await lastSeq()) - before.eventSeq).toBe(240n);
  });

  it('an upsert finds its matches through the key\'s unique index, not the trigram index of the same column', async () => {
    // Asked as `email IN (…1,000 values)` right after a bulk insert (statistics stale, the trigram index's pending
    // list full), PostgreSQL scanned the trigram GIN index once per value: 2 to 15 s per import batch, growing.
    const emails = Array.from({ length: 300 }, (_, i) => `large${i % 200}@batch.test`);
    const lookups = (await t.sql.during(() => client.query(UPSERT, { inputs: emails.slice(0, 5).map((email) => ({ name: 'Probe', email })) })))
      .filter((sql) => sql.includes('unnest('));
    expect(lookups).toHaveLength(1);
    const plan = JSON.stringify(
      await t.database.prisma.$queryRawUnsafe(`EXPLAIN (FORMAT JSON) ${lookups[0]!}`, t.workspace.workspaceId, emails),
    );
    expect(plan).toContain('Customer_workspaceId_email_key');
    expect(plan).not.toContain('Customer_email_idx');
  });

  it('products too: upserting 10 or 200 products by SKU costs the same statements; a taken SKU is its row\'s CONFLICT', async () => {
    const UPSERT_PRODUCTS = `mutation ($inputs: [ProductInput!]!) { upsertProducts(inputs: $inputs, on: SKU) { created updated } }`;
    const products = (from: number, count: number, price: string) =>
      Array.from({ length: count }, (_, i) => ({ sku: `SKU-${from + i}`, name: `Item ${from + i}`, unitPrice: price }));
    await client.query(UPSERT_PRODUCTS, { inputs: products(0, 100, '1.00') });
    const small = await during(async () => expect((await client.query(UPSERT_PRODUCTS, { inputs: products(95, 10, '2.00') })).upsertProducts).toEqual({ created: 5, updated: 5 }));
    const large = await during(async () => expect((await client.query(UPSERT_PRODUCTS, { inputs: products(0, 200, '3.50') })).upsertProducts).toEqual({ created: 95, updated: 105 }));
    expect(large.length, large.join('\n')).toBe(small.length);
    const item = (await client.query(`{ products(filter: { sku: { eq: "SKU-97" } }) { edges { node { id unitPrice } } } }`)).products.edges[0].node;
    expect(item.unitPrice).toBe('3.50');
    const updates = await t.database.prisma.event.findMany({ where: { type: 'product.updated', subjectId: rowIdOf(item.id) }, orderBy: { seq: 'asc' } });
    expect(updates.map((event) => (event.payload as { changes: { unitPrice: unknown } }).changes.unitPrice)).toEqual([
      { from: '1.00', to: '2.00' },
      { from: '2.00', to: '3.50' },
    ]);
    // Renaming a product's SKU to one another product has is refused for that row only.
    const ids = (await client.query(`{ products(first: 2, filter: { sku: { in: ["SKU-1", "SKU-2"] } }, orderBy: [{ field: SKU }]) { edges { node { id } } } }`)).products.edges.map((e: { node: { id: string } }) => e.node.id);
    const refused = await client.request(`mutation ($ids: [ID!]!) { updateProducts(where: { ids: $ids }, patch: { sku: "SKU-3" }) { count } }`, { ids });
    expect((refused.errors?.[0]?.extensions?.rows as { code: string }[]).map((row) => row.code)).toContain('CONFLICT');
  });

  it('a refused row is reported with its index and nothing is written; a conflict in the batch names the row', async () => {
    const refused = await client.request(CREATE, { inputs: [{ name: 'Fine', email: 'fine@refused.test' }, { name: 'Bad stage', churnReason: 'x' }, { name: 'Dup', email: 'large0@batch.test' }] });
    expect(refused.errors?.[0]?.extensions?.rows).toEqual([
      { index: 1, field: 'churnReason', message: 'churnReason is only kept for CHURNED customers', code: 'BAD_USER_INPUT' },
      expect.objectContaining({ index: 2, field: 'email', code: 'CONFLICT' }),
    ]);
    expect(await client.query(`{ customers(filter: { email: { eq: "fine@refused.test" } }) { totalCount } }`)).toEqual({ customers: { totalCount: 0 } });
  });
});

describe('tickets opened in batches', () => {
  const OPEN = `mutation ($inputs: [TicketInput!]!) { createTickets(inputs: $inputs) { count tickets { id } } }`;
  let customerId: string;
  const open = async (count: number, tag: string) => {
    let ids: string[] = [];
    const statements = await during(async () => {
      const inputs = Array.from({ length: count }, (_, i) => ({ customerId, subject: `${tag} ${i}`, priority: 'HIGH', channel: 'EMAIL' }));
      ids = (await client.query(OPEN, { inputs })).createTickets.tickets.map((ticket: { id: string }) => ticket.id);
    });
    return { ids, statements };
  };

  beforeAll(async () => {
    customerId = (await client.query(`mutation { createCustomer(input: { name: "Ticket Holder", email: "holder@batch.test" }) { customer { id } } }`)).createCustomer.customer.id;
  });

  it('opening 10 or 200 tickets costs the same statements; each gets its row and its ticket.opened event', async () => {
    const small = await open(10, 'small ticket');
    const large = await open(200, 'large ticket');
    expect(large.ids).toHaveLength(200);
    expect(large.statements.length, large.statements.join('\n')).toBe(small.statements.length);
    expect(await dbCount(`SELECT count(*) AS n FROM "Event" WHERE "subjectId" = ANY($1::uuid[]) AND type = 'ticket.opened'`, large.ids)).toBe(200);
    const one = await client.query(`query ($id: ID!) { ticket(id: $id) { subject priority channel status customer { id } } }`, { id: large.ids[7] });
    expect(one.ticket).toEqual({ subject: 'large ticket 7', priority: 'HIGH', channel: 'EMAIL', status: 'OPEN', customer: { id: customerId } });
  });

  it('a ticket for an unknown or another workspace’s customer is its row’s NOT_FOUND, and nothing is written', async () => {
    const theirs = await t.createWorkspace('Tickets elsewhere');
    const theirCustomer = (await theirs.client.query(`mutation { createCustomer(input: { name: "Theirs" }) { customer { id } } }`)).createCustomer.customer.id;
    const refused = await client.request(OPEN, { inputs: [{ customerId, subject: 'Fine ticket' }, { customerId: theirCustomer, subject: 'Their customer' }] });
    expect(refused.errors?.[0]?.extensions?.rows).toEqual([expect.objectContaining({ index: 1, field: 'customerId', code: 'NOT_FOUND' })]);
    expect((await client.query(`{ tickets(filter: { subject: { eq: "Fine ticket" } }) { totalCount } }`)).tickets.totalCount).toBe(0);
  });
});

describe('activities logged in batches', () => {
  const LOG = `mutation ($inputs: [ActivityInput!]!) { createActivities(inputs: $inputs) { count activities { id } } }`;
  let customerId: string;
  let ticketId: string;
  const log = async (count: number, tag: string) => {
    let ids: string[] = [];
    const statements = await during(async () => {
      const inputs = Array.from({ length: count }, (_, i) => ({ customerId, ticketId, type: 'CALL', channel: 'PHONE', subject: `${tag} ${i}` }));
      ids = (await client.query(LOG, { inputs })).createActivities.activities.map((activity: { id: string }) => activity.id);
    });
    return { ids, statements };
  };

  beforeAll(async () => {
    customerId = (await client.query(`mutation { createCustomer(input: { name: "Caller", email: "caller@batch.test" }) { customer { id } } }`)).createCustomer.customer.id;
    ticketId = (await client.query(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Calls about" }) { ticket { id } } }`, { c: customerId })).createTicket.ticket.id;
  });

  it('logging 10 or 200 activities costs the same statements; each gets its row and its activity.logged event', async () => {
    const small = await log(10, 'small call');
    const large = await log(200, 'large call');
    expect(large.ids).toHaveLength(200);
    expect(large.statements.length, large.statements.join('\n')).toBe(small.statements.length);
    expect(await dbCount(`SELECT count(*) AS n FROM "Event" WHERE "subjectId" = ANY($1::uuid[]) AND type = 'activity.logged'`, large.ids)).toBe(200);
    expect(await dbCount(`SELECT count(*) AS n FROM "Activity" WHERE id = ANY($1::uuid[]) AND "ticketId" IS NOT NULL`, large.ids)).toBe(200);
  });

  it('a ticket of another customer is its row’s BAD_USER_INPUT, an unknown one NOT_FOUND, and nothing is written', async () => {
    const other = (await client.query(`mutation { createCustomer(input: { name: "Other caller" }) { customer { id } } }`)).createCustomer.customer.id;
    const unknown = Buffer.from('Ticket:00000000-0000-7000-8000-000000000000').toString('base64');
    const refused = await client.request(LOG, {
      inputs: [
        { customerId, type: 'CALL', channel: 'PHONE', subject: 'Fine call' },
        { customerId: other, ticketId, type: 'CALL', channel: 'PHONE', subject: 'Wrong ticket' },
        { customerId, ticketId: unknown, type: 'CALL', channel: 'PHONE', subject: 'No ticket' },
      ],
    });
    expect(refused.errors?.[0]?.extensions?.rows).toEqual([
      expect.objectContaining({ index: 1, field: 'ticketId', code: 'BAD_USER_INPUT' }),
      expect.objectContaining({ index: 2, field: 'ticketId', code: 'NOT_FOUND' }),
    ]);
    expect(await dbCount(`SELECT count(*) AS n FROM "Activity" WHERE "customerId" = ANY($1::uuid[]) AND subject = 'Fine call'`, [customerId])).toBe(0);
  });
});
