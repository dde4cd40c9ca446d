// A key with a restricted custom role attacks every path, the way tenancy.test.ts attacks from a foreign workspace:
// queries (through the SQL read engine and through Pothos, which must agree), node, by-id fields, filters, sorts and
// relation filters on hidden fields, aggregates, group-by, the global search, mutations and subscriptions. Then role
// management: only ADMIN keys manage roles, and a workspace never sees or assigns another's.
import { createPluginHost, loadPlugins } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { isReadEngineStatement, openWsClient, startTestGateway, SubscriptionCollector, TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
let admin: TestClient;
/** The same database served with the read engine off: every query also runs through Pothos. */
let plain: Gateway;
let plainUrl: string;
/** The restricted key: role "Sales rep", linked to the user Ulla. */
let repKey: string;
let rep: TestClient;
let repRoleId: string;
const ids: Record<string, string> = {};

const REP_PERMISSIONS = [
  { object: 'Customer', read: true, create: true, update: true, ownRecordsOnly: true, hiddenFields: ['phone', 'annualWallet'], readOnlyFields: ['email'] },
  { object: 'Deal', read: true, update: true, ownRecordsOnly: true },
  { object: 'Company', read: true },
  { object: 'User', read: true },
];

async function createKey(client: TestClient, input: Record<string, unknown>): Promise<string> {
  const result = await client.query(`mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, { input });
  return result.createApiKey.secret;
}

beforeAll(async () => {
  // A plugin's object and declared permissions are part of the same model.
  const host = createPluginHost((await loadPlugins({ env: { CRM_PLUGINS: 'competitor-feedback' } })).enabled);
  t = await startTestGateway({ plugins: host, migrations: host.migrations });
  admin = t.workspace.client;
  plain = createGateway({ database: t.database, plugins: host, logger: createLogger('error'), sqlProjection: false, monthEndSnapshots: false, trashRetention: { days: null } });
  plainUrl = await plain.listen(0);
  const q = admin.query.bind(admin);
  ids.ulla = (await q(`mutation { createUser(input: { name: "Ulla Own", email: "ulla@a.test" }) { user { id } } }`)).createUser.user.id;
  ids.otto = (await q(`mutation { createUser(input: { name: "Otto Other", email: "otto@a.test" }) { user { id } } }`)).createUser.user.id;
  ids.company = (await q(`mutation { createCompany(input: { name: "Shared Corp" }) { company { id } } }`)).createCompany.company.id;
  const customer = `mutation ($n: String!, $e: String, $p: String, $o: ID, $c: ID) {
    createCustomer(input: { name: $n, email: $e, phone: $p, ownerId: $o, companyId: $c, tags: ["t"] }) { customer { id } } }`;
  ids.mine = (await q(customer, { n: 'Mina Mine', e: 'mina@a.test', p: '+1 555 0101', o: ids.ulla, c: ids.company })).createCustomer.customer.id;
  ids.theirs = (await q(customer, { n: 'Theo Theirs', e: 'theo@a.test', p: '+1 555 0202', o: ids.otto, c: ids.company })).createCustomer.customer.id;
  await q(`mutation ($id: ID!) { updateCustomer(input: { id: $id, annualWallet: "1200.00" }) { customer { id } } }`, { id: ids.mine });
  const deal = `mutation ($c: ID!, $o: ID, $t: String!) { createDeal(input: { customerId: $c, ownerId: $o, title: $t, amount: "100.00" }) { deal { id } } }`;
  ids.myDeal = (await q(deal, { c: ids.mine, o: ids.ulla, t: 'Mine deal' })).createDeal.deal.id;
  ids.theirDeal = (await q(deal, { c: ids.theirs, o: ids.otto, t: 'Theirs deal' })).createDeal.deal.id;
  ids.ticket = (await q(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Closed to reps", priority: HIGH }) { ticket { id } } }`, { c: ids.mine })).createTicket.ticket.id;
  const role = await q(`mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "Sales rep", permissions: $p }) { role { id name } } }`, { p: REP_PERMISSIONS });
  repRoleId = role.createRole.role.id;
  repKey = await createKey(admin, { name: 'rep', roleId: repRoleId, userId: ids.ulla });
  rep = t.client(repKey);
});
afterAll(async () => {
  await plain?.close(1000);
  await t?.close();
});

/** Runs a query with a key through the read engine and through Pothos; both must answer the same. */
async function bothPaths(apiKey: string, query: string, variables: Record<string, unknown> = {}) {
  const [engine, pothos] = await Promise.all([t.client(apiKey).request(query, variables), new TestClient(plainUrl, apiKey).request(query, variables)]);
  expect(engine, JSON.stringify({ engine, pothos })).toEqual(pothos);
  return engine;
}

const asRep = (query: string, variables: Record<string, unknown> = {}) => bothPaths(repKey, query, variables);

describe('a restricted role reads only what it may', () => {
  it('lists only its own customers, with hidden fields null, on both paths', async () => {
    const result = await asRep(`{ customers { totalCount edges { node { id name email phone annualWallet tags owner { name } company { name } } } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.customers).toEqual({
      totalCount: 1,
      edges: [{ node: { id: ids.mine, name: 'Mina Mine', email: 'mina@a.test', phone: null, annualWallet: null, tags: ['t'], owner: { name: 'Ulla Own' }, company: { name: 'Shared Corp' } } }],
    });
  });

  it('the read engine applies the rules inside its one statement', async () => {
    const query = `{ customers(first: 50) { totalCount edges { node { name phone company { name } deals { totalCount } } } } }`;
    await rep.request(query);
    const statements = await t.sql.during(() => rep.request(query));
    expect(statements).toHaveLength(1);
    expect(isReadEngineStatement(statements[0]!)).toBe(true);
  });

  it('node and by-id fields answer null for others’ rows and for objects the role does not read', async () => {
    const result = await asRep(
      `query ($t: ID!, $m: ID!, $td: ID!, $k: ID!) { theirs: node(id: $t) { id } mine: customer(id: $m) { id phone } theirDeal: deal(id: $td) { id } ticket(id: $k) { id } ticketNode: node(id: $k) { id } }`,
      { t: ids.theirs, m: ids.mine, td: ids.theirDeal, k: ids.ticket },
    );
    expect(result.data).toEqual({ theirs: null, mine: { id: ids.mine, phone: null }, theirDeal: null, ticket: null, ticketNode: null });
  });

  it('nested connections, counts and aggregates count only visible rows', async () => {
    const result = await asRep(`{
      companies { edges { node { name customers { totalCount edges { node { name } } } deals { totalCount } } } }
      deals { totalCount aggregate { count sum { amount } } }
      tickets { totalCount }
      customers { aggregate { count } }
    }`);
    expect(result.data).toEqual({
      companies: { edges: [{ node: { name: 'Shared Corp', customers: { totalCount: 1, edges: [{ node: { name: 'Mina Mine' } }] }, deals: { totalCount: 1 } } }] },
      deals: { totalCount: 1, aggregate: { count: 1, sum: { amount: '100.00' } } },
      tickets: { totalCount: 0 },
      customers: { aggregate: { count: 1 } },
    });
    // Relation filters look only at rows the key sees: they cannot probe others' customers or unreadable tickets.
    const probes = await asRep(`{
      theirs: companies(filter: { customers: { some: { name: { eq: "Theo Theirs" } } } }) { totalCount }
      mine: companies(filter: { customers: { some: { name: { eq: "Mina Mine" } } } }) { totalCount }
      allMine: companies(filter: { customers: { every: { name: { startsWith: "Mina" } } } }) { totalCount }
      withTickets: customers(filter: { tickets: { some: {} } }) { totalCount }
    }`);
    expect(probes.data).toEqual({ theirs: { totalCount: 0 }, mine: { totalCount: 1 }, allMine: { totalCount: 1 }, withTickets: { totalCount: 0 } });
    const groups = await rep.query(`{ customersGroupBy(by: [{ field: OWNER_ID }]) { key { ownerId } aggregate { count } } }`);
    expect(groups.customersGroupBy).toEqual([{ key: { ownerId: ids.ulla }, aggregate: { count: 1 } }]);
  });

  it('filtering, sorting, aggregating and grouping on a hidden field is BAD_USER_INPUT naming it', async () => {
    const cases: [string, string][] = [
      [`{ customers(filter: { phone: { eq: "+1 555 0202" } }) { totalCount } }`, 'filter.phone'],
      [`{ customers(orderBy: [{ field: ANNUAL_WALLET }]) { totalCount } }`, 'orderBy.0.field'],
      [`{ customers { aggregate { sum { annualWallet } } } }`, 'aggregate.sum.annualWallet'],
      [`{ deals(filter: { customer: { phone: { startsWith: "+1" } } }) { totalCount } }`, 'filter.customer.phone'],
      [`{ companies(filter: { customers: { some: { phone: { eq: "+1 555 0202" } } } }) { totalCount } }`, 'filter.customers.some.phone'],
      [`{ customers(filter: { tickets: { some: { subject: { contains: "Closed" } } } }) { totalCount } }`, 'filter.tickets.some.subject'],
    ];
    for (const [query, field] of cases) {
      const result = await asRep(query);
      expect(result.errors?.[0]?.extensions, query).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(result.data ?? null, query).toBeNull();
    }
  });

  it('search does not look into hidden fields or others’ rows', async () => {
    const byName = await asRep(`{ customers(search: "Mina") { totalCount } theirs: customers(search: "Theo") { totalCount } byPhone: customers(search: "0101") { totalCount } }`);
    expect(byName.data).toEqual({ customers: { totalCount: 1 }, theirs: { totalCount: 0 }, byPhone: { totalCount: 0 } });
    const global = await rep.query(`{ theo: search(query: "Theo") { node { id } } ticket: search(query: "Closed reps") { node { id } } mina: search(query: "Mina", types: [Customer]) { node { id } } }`);
    expect(global).toEqual({ theo: [], ticket: [], mina: [{ node: { id: ids.mine } }] });
  });

  it('exports only its own rows, without hidden columns; filters or columns on hidden fields and unreadable objects are refused', async () => {
    const exported = async (path: string) => {
      const response = await fetch(`${t.url}/export/${path}`, { headers: { authorization: `Bearer ${repKey}` } });
      return { status: response.status, text: await response.text() };
    };
    const all = await exported('customers?format=ndjson');
    expect(all.status).toBe(200);
    const rows = all.text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => row.name)).toEqual(['Mina Mine']);
    expect(rows[0]).not.toHaveProperty('phone');
    expect(rows[0]).not.toHaveProperty('annualWallet');
    // A column, filter or order on a hidden field is refused (naming it); so is an object the role does not read.
    expect((await exported('customers?fields=name,phone')).status).toBe(403);
    expect((await exported(`customers?filter=${encodeURIComponent(JSON.stringify({ phone: { contains: '0202' } }))}`)).status).toBeGreaterThanOrEqual(400);
    expect((await exported('tickets')).status).toBe(403);
    // A relation column through a visible row only: deals are the rep's own, their customers' names come along.
    const deals = await exported('deals?format=ndjson&fields=title,customer.name');
    expect(deals.text.trim().split('\n').map((line) => JSON.parse(line))).toEqual([{ title: 'Mine deal', 'customer.name': 'Mina Mine' }]);
  });
});

describe('a restricted role writes only what it may', () => {
  const update = `mutation ($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id name } } }`;

  it('creates its own records, and refuses hidden or read-only fields with FORBIDDEN naming the field', async () => {
    const created = await rep.query(`mutation { createCustomer(input: { name: "Rita Rep" }) { customer { id owner { id } } } }`);
    expect(created.createCustomer.customer.owner.id).toBe(ids.ulla);
    for (const [input, field] of [
      [{ name: 'X', phone: '+1 555 0303' }, 'phone'],
      [{ name: 'X', email: 'x@a.test' }, 'email'],
      [{ name: 'X', ownerId: ids.otto }, 'ownerId'],
    ] as const) {
      const result = await rep.request(`mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input });
      expect(result.errors?.[0]?.extensions, field).toMatchObject({ code: 'FORBIDDEN', field });
    }
    const email = await rep.request(update, { input: { id: ids.mine, email: 'new@a.test' } });
    expect(email.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'email' });
  });

  it('updates its own rows only; others’ are NOT_FOUND and unchanged', async () => {
    expect((await rep.query(update, { input: { id: ids.mine, name: 'Mina Renamed' } })).updateCustomer.customer.name).toBe('Mina Renamed');
    expect(await rep.errorCode(update, { input: { id: ids.theirs, name: 'Hijacked' } })).toBe('NOT_FOUND');
    const updateDeal = `mutation ($id: ID!) { updateDeal(input: { id: $id, title: "Hijacked" }) { deal { title } } }`;
    expect(await rep.errorCode(updateDeal, { id: ids.theirDeal })).toBe('NOT_FOUND');
    expect((await rep.query(updateDeal, { id: ids.myDeal })).updateDeal.deal.title).toBe('Hijacked');
    const theirs = await admin.query(`query ($id: ID!) { customer(id: $id) { name } }`, { id: ids.theirs });
    expect(theirs.customer.name).toBe('Theo Theirs');
  });

  it('bulk writes (batched in a few statements) keep the same rules: own rows, own new records, read-only fields', async () => {
    const bulkUpdate = `mutation ($ids: [ID!]!, $patch: CustomerPatch!) { updateCustomers(where: { ids: $ids }, patch: $patch) { customers { id tags } } }`;
    const bulkCreate = `mutation ($inputs: [CustomerInput!]!) { createCustomers(inputs: $inputs) { customers { id owner { id } } } }`;
    const rowsOf = async (query: string, variables: Record<string, unknown>) => {
      const result = await rep.request(query, variables);
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result)).toBe('BAD_USER_INPUT');
      return (result.errors![0]!.extensions!.rows as { index: number; field: string | null; code: string }[]).map(({ index, field, code }) => ({ index, field, code }));
    };
    expect(await rowsOf(bulkUpdate, { ids: [ids.mine, ids.theirs], patch: { tags: ['bulk'] } })).toEqual([{ index: 1, field: 'id', code: 'NOT_FOUND' }]);
    expect(await rowsOf(bulkUpdate, { ids: [ids.mine], patch: { email: 'bulk@a.test' } })).toEqual([{ index: 0, field: 'email', code: 'FORBIDDEN' }]);
    const untouched = await admin.query(`query ($a: ID!, $b: ID!) { a: customer(id: $a) { tags email } b: customer(id: $b) { tags } }`, { a: ids.mine, b: ids.theirs });
    expect(untouched).toEqual({ a: { tags: ['t'], email: 'mina@a.test' }, b: { tags: ['t'] } });
    expect((await rep.query(bulkUpdate, { ids: [ids.mine], patch: { tags: ['bulk'] } })).updateCustomers.customers).toEqual([{ id: ids.mine, tags: ['bulk'] }]);

    const made = (await rep.query(bulkCreate, { inputs: [{ name: 'Rep Bulk 1' }, { name: 'Rep Bulk 2' }] })).createCustomers.customers;
    expect(made.map((c: { owner: { id: string } }) => c.owner.id)).toEqual([ids.ulla, ids.ulla]);
    // The batch's INSERT is refused as a whole; the rows run again one by one name the row at fault.
    expect(await rowsOf(bulkCreate, { inputs: [{ name: 'Rep Bulk 3' }, { name: 'For Otto', ownerId: ids.otto }] })).toEqual([{ index: 1, field: 'ownerId', code: 'FORBIDDEN' }]);
    expect((await admin.query(`{ customers(filter: { name: { startsWith: "Rep Bulk" } }) { totalCount } }`)).customers.totalCount).toBe(2);
  });

  it('refuses actions the role does not grant: delete, objects it does not write', async () => {
    expect(await rep.errorCode(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: ids.mine })).toBe('FORBIDDEN');
    expect(await rep.errorCode(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "x", priority: LOW }) { ticket { id } } }`, { c: ids.mine })).toBe('FORBIDDEN');
    expect(await rep.errorCode(`mutation ($c: ID!) { createDeal(input: { customerId: $c, title: "x", amount: "1.00" }) { deal { id } } }`, { c: ids.mine })).toBe('FORBIDDEN');
    expect(await rep.errorCode(`mutation { createWebhook(input: { url: "https://a.example/h", eventTypes: ["deal.won"] }) { webhook { id } } }`)).toBe('FORBIDDEN');
    const mine = await admin.query(`query ($id: ID!) { customer(id: $id) { id } tickets { totalCount } }`, { id: ids.mine });
    expect(mine).toEqual({ customer: { id: ids.mine }, tickets: { totalCount: 1 } });
  });
});

describe('subscriptions deliver only what the role reads', () => {
  it('skips others’ rows and unreadable objects, and scrubs hidden fields from payloads', async () => {
    const client = openWsClient(t.wsUrl, repKey);
    const sub = new SubscriptionCollector<{ events: { type: string; subject: { id: string } | null; payload: Record<string, unknown> } }>(
      client,
      `subscription { events { type subject { id } payload } }`,
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const update = `mutation ($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }`;
      await admin.query(update, { input: { id: ids.theirs, name: 'Theo Again' } });
      await admin.query(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Hidden object", priority: LOW }) { ticket { id } } }`, { c: ids.mine });
      await admin.query(update, { input: { id: ids.mine, phone: '+1 555 0909', externalRef: 'visible change' } });
      const [first] = await sub.take(1);
      expect(first!.events.type).toBe('customer.updated');
      expect(first!.events.subject).toEqual({ id: ids.mine });
      expect(first!.events.payload).toEqual({ changed: ['externalRef'], changes: { externalRef: { from: null, to: 'visible change' } } });
      expect(JSON.stringify(first)).not.toContain('0909');
      // The audit log: no ticket events, no events about others' customers; one's own customer's, scrubbed.
      const log = await rep.query(`{ events(first: 100) { edges { node { type subjectType payload } } } }`);
      expect(log.events.edges.map((e: { node: { subjectType: string } }) => e.node.subjectType)).not.toContain('Ticket');
      expect(JSON.stringify(log)).not.toMatch(/Theo|0909|0101|0202/);
      const mine = await rep.query(`query ($id: ID!) { events(subjectId: $id, first: 100) { edges { node { type payload } } } }`, { id: ids.mine });
      expect(mine.events.edges.map((e: { node: { type: string } }) => e.node.type)).toContain('customer.updated');
      expect(JSON.stringify(mine)).not.toMatch(/0909|0101/);
      const theirs = await rep.query(`query ($id: ID!) { events(subjectId: $id, first: 100) { edges { node { type } } } }`, { id: ids.theirs });
      expect(theirs.events.edges).toEqual([]);
    } finally {
      sub.dispose();
      await client.dispose();
    }
  });
});

describe('scopes and built-in roles', () => {
  it('a key scoped to deals:read reads deals only and writes nothing', async () => {
    const scoped = t.client(await createKey(admin, { name: 'deals reader', role: 'MEMBER', scopes: ['deals:read'] }));
    expect(await scoped.query(`{ deals { totalCount } customers { totalCount } }`)).toEqual({ deals: { totalCount: 2 }, customers: { totalCount: 0 } });
    expect(await scoped.errorCode(`mutation { createCompany(input: { name: "Nope" }) { company { id } } }`)).toBe('FORBIDDEN');
    const bad = await admin.request(`mutation { createApiKey(input: { name: "bad", role: MEMBER, scopes: ["nothing:read"] }) { secret } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scopes.0' });
  });

  it('existing built-in keys keep their behaviour; roles lists them with their derived permissions', async () => {
    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    const seen = await readOnly.query(`query ($id: ID!) { customer(id: $id) { phone } }`, { id: ids.theirs });
    expect(seen.customer.phone).toBe('+1 555 0202');
    expect(await readOnly.errorCode(`mutation { createCompany(input: { name: "Nope" }) { company { id } } }`)).toBe('FORBIDDEN');
    const roles = (await admin.query(`{ roles { id builtIn name permissions { object read create update delete ownRecordsOnly hiddenFields } } }`)).roles;
    expect(roles.map((r: { name: string }) => r.name).slice(0, 4)).toEqual(['ADMIN', 'MEMBER', 'READ_ONLY', 'Sales rep']);
    const ro = roles.find((r: { name: string }) => r.name === 'READ_ONLY');
    expect(ro.permissions.find((p: { object: string }) => p.object === 'Customer')).toMatchObject({ read: true, create: false, update: false, delete: false });
    const custom = roles.find((r: { name: string }) => r.name === 'Sales rep');
    expect(custom).toMatchObject({ id: repRoleId, builtIn: null });
  });

  it('a role’s change applies to its keys at once; a role in use cannot be deleted', async () => {
    const permissions = REP_PERMISSIONS.map((p) => (p.object === 'Customer' ? { ...p, hiddenFields: ['annualWallet'] } : p));
    await admin.query(`mutation ($id: ID!, $p: [ObjectPermissionInput!]) { updateRole(input: { id: $id, permissions: $p }) { role { id } } }`, { id: repRoleId, p: permissions });
    const after = await rep.query(`query ($id: ID!) { customer(id: $id) { phone annualWallet } }`, { id: ids.mine });
    expect(after.customer).toEqual({ phone: '+1 555 0909', annualWallet: null });
    const deleting = await admin.request(`mutation ($id: ID!) { deleteRole(input: { id: $id }) { role { id } } }`, { id: repRoleId });
    expect(deleting.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
  });
});

describe('plugins: their objects and declared permissions', () => {
  const create = `mutation ($input: CompetitorFields!) { createCompetitor(input: $input) { competitor { id name weaknesses } } }`;
  const analyst = async (permissions: object[], pluginPermissions: string[]) => {
    const role = await admin.query(`mutation ($n: String!, $p: [ObjectPermissionInput!]!, $pp: [String!]) { createRole(input: { name: $n, permissions: $p, pluginPermissions: $pp }) { role { id } } }`, {
      n: `Analyst ${Math.random()}`,
      p: permissions,
      pp: pluginPermissions,
    });
    return t.client(await createKey(admin, { name: 'analyst', roleId: role.createRole.role.id }));
  };

  it('a custom role holds the plugin permissions it names, and the plugin object’s permissions apply', async () => {
    await admin.query(create, { input: { name: 'Rival', weaknesses: 'slow support' } });
    const competitor = { object: 'Competitor', read: true, create: true, hiddenFields: ['weaknesses'] };
    const writer = await analyst([competitor], ['competitor-feedback.read', 'competitor-feedback.write']);
    const made = await writer.query(create, { input: { name: 'Upstart' } });
    expect(made.createCompetitor.competitor).toMatchObject({ name: 'Upstart', weaknesses: null });
    const hiddenWrite = await writer.request(create, { input: { name: 'Other', weaknesses: 'x' } });
    expect(hiddenWrite.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'weaknesses' });
    const listed = await bothPaths(writer.apiKey!, `{ competitors(orderBy: [{ field: NAME }]) { edges { node { name weaknesses } } } }`);
    expect(listed.data!.competitors.edges).toEqual([{ node: { name: 'Rival', weaknesses: null } }, { node: { name: 'Upstart', weaknesses: null } }]);

    const noPluginPermission = await analyst([competitor], []);
    expect(await noPluginPermission.errorCode(create, { input: { name: 'Nope' } })).toBe('FORBIDDEN');
    const noObjectWrite = await analyst([{ object: 'Competitor', read: true }], ['competitor-feedback.write']);
    expect(await noObjectWrite.errorCode(create, { input: { name: 'Nope' } })).toBe('FORBIDDEN');
  });
});

describe('role management', () => {
  it('refuses invalid roles and keys with BAD_USER_INPUT naming the field', async () => {
    const create = `mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "Bad", permissions: $p }) { role { id } } }`;
    for (const [p, field] of [
      [[{ object: 'Nope', read: true }], 'permissions.0.object'],
      [[{ object: 'Customer', read: true, hiddenFields: ['name'] }], 'permissions.0.hiddenFields.0'],
      [[{ object: 'Product', read: true, ownRecordsOnly: true }], 'permissions.0.ownRecordsOnly'],
      [[{ object: 'Customer', read: false, update: true }], 'permissions.0.read'],
    ] as const) {
      const result = await admin.request(create, { p });
      expect(result.errors?.[0]?.extensions, field).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const unlinked = await admin.request(`mutation ($r: ID!) { createApiKey(input: { name: "x", roleId: $r }) { secret } }`, { r: repRoleId });
    expect(unlinked.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    const builtIn = await admin.request(`mutation { createRole(input: { name: "admin", permissions: [] }) { role { id } } }`);
    expect(builtIn.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('READ_ONLY, MEMBER and custom-role keys cannot see or manage roles', async () => {
    for (const client of [await t.issueKey(t.workspace.workspaceId, 'READ_ONLY'), await t.issueKey(t.workspace.workspaceId, 'MEMBER'), rep]) {
      expect(await client.errorCode(`{ roles { name } }`)).toBe('FORBIDDEN');
      expect(await client.errorCode(`mutation { createRole(input: { name: "Mine", permissions: [] }) { role { id } } }`)).toBe('FORBIDDEN');
      expect(await client.errorCode(`mutation ($id: ID!) { deleteRole(input: { id: $id }) { role { id } } }`, { id: repRoleId })).toBe('FORBIDDEN');
      expect(await client.errorCode(`mutation { createApiKey(input: { name: "escalate", role: ADMIN }) { secret } }`)).toBe('FORBIDDEN');
    }
  });

  it('workspace B neither sees nor assigns nor changes A’s roles', async () => {
    const b = (await t.createWorkspace('Workspace B')).client;
    const theirs = await b.query(`{ roles { id name } }`);
    expect(theirs.roles.map((r: { name: string }) => r.name)).toEqual(['ADMIN', 'MEMBER', 'READ_ONLY']);
    expect(await b.errorCode(`mutation ($r: ID!) { createApiKey(input: { name: "stolen", roleId: $r }) { secret } }`, { r: repRoleId })).toBe('NOT_FOUND');
    expect(await b.errorCode(`mutation ($id: ID!) { updateRole(input: { id: $id, name: "Renamed" }) { role { id } } }`, { id: repRoleId })).toBe('NOT_FOUND');
    expect(await b.errorCode(`mutation ($id: ID!) { deleteRole(input: { id: $id }) { role { id } } }`, { id: repRoleId })).toBe('NOT_FOUND');
    const mine = await admin.query(`{ roles { name } }`);
    expect(mine.roles.map((r: { name: string }) => r.name)).toContain('Sales rep');
  });
});
