import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

// Duplicates and merge (docs/data.md): candidate pairs with a score and reasons; a merge moves every related record
// onto the survivor in one transaction, records itself in the history, and the merged id resolves to the survivor.

let t: TestGateway;
let admin: TestClient;
const ids: Record<string, string> = {};

const CUSTOMER_VIEW = `query ($id: ID!) {
  customer(id: $id) { id name email phone tags lifetimeValue orderCount mergedFrom
    activities { totalCount } orders { totalCount } deals { totalCount } tickets { totalCount } tasks { totalCount }
    surveyResponses { totalCount } campaignResponses { totalCount } }
}`;

beforeAll(async () => {
  t = await startTestGateway();
  admin = t.workspace.client;
  const q = admin.query.bind(admin);
  ids.company = (await q(`mutation { createCompany(input: { name: "Acme Inc", domain: "acme.test" }) { company { id } } }`)).createCompany.company.id;
  ids.company2 = (await q(`mutation { createCompany(input: { name: "ACME", domain: "www.acme.test" }) { company { id } } }`)).createCompany.company.id;
  const customer = async (input: Record<string, unknown>) => (await q(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: input })).createCustomer.customer.id as string;
  ids.ada = await customer({ name: 'Ada Lovelace', email: 'ada@math.test', phone: '+44 20 7946 0000', companyId: ids.company, tags: ['vip'] });
  ids.ada2 = await customer({ name: 'Ada  Lovelace', email: 'ada+shop@math.test', phone: '0044 20 7946 0000', companyId: ids.company2, tags: ['web'] });
  ids.bob = await customer({ name: 'Bob Builder', email: 'bob@build.test' });
  const campaign = (await q(`mutation { createCampaign(input: { name: "Spring", channel: EMAIL, startsAt: "2026-01-01" }) { campaign { id } } }`)).createCampaign.campaign.id;
  for (const [c, n] of [[ids.ada, 1], [ids.ada2, 2]] as const) {
    await q(`mutation ($c: ID!) { logActivity(input: { customerId: $c, type: CALL, channel: PHONE, subject: "Call" }) { activity { id } } }`, { c });
    for (let i = 0; i < n; i++) await q(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [{ sku: "M-1", quantity: 1, unitPrice: "10.00" }] }) { order { id } } }`, { c });
    await q(`mutation ($c: ID!) { createDeal(input: { customerId: $c, title: "Deal", amount: "5.00" }) { deal { id } } }`, { c });
    await q(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Help" }) { ticket { id } } }`, { c });
    await q(`mutation ($c: ID!) { createTask(input: { customerId: $c, title: "Follow up" }) { task { id } } }`, { c });
    await q(`mutation ($c: ID!) { recordSurveyResponse(input: { customerId: $c, kind: NPS, score: 9 }) { surveyResponse { id } } }`, { c });
    // Both got the same campaign mail: the survivor keeps one SENT response, not two.
    await q(`mutation ($cp: ID!, $c: ID!) { recordCampaignResponse(input: { campaignId: $cp, customerId: $c, kind: SENT }) { campaignResponse { id } } }`, { cp: campaign, c });
  }
  await q(`mutation ($cp: ID!, $c: ID!) { recordCampaignResponse(input: { campaignId: $cp, customerId: $c, kind: OPENED }) { campaignResponse { id } } }`, { cp: campaign, c: ids.ada2 });
});
afterAll(async () => {
  await t?.close();
});

describe('duplicates', () => {
  it('finds the two Adas by normalised email, E.164 phone and name, with a score; not Bob', async () => {
    const result = await admin.query(`{ duplicates(object: CUSTOMER, first: 10) { score reasons nameSimilarity records { id } } }`);
    expect(result.duplicates).toHaveLength(1);
    const [pair] = result.duplicates;
    expect(pair.records.map((r: { id: string }) => r.id).sort()).toEqual([ids.ada, ids.ada2].sort());
    expect(pair.reasons).toEqual(['EMAIL', 'PHONE', 'NAME']);
    expect(pair.score).toBeGreaterThan(0.95);
    expect(pair.nameSimilarity).toBe(1);
  });

  it('finds companies by domain and name', async () => {
    const result = await admin.query(`{ duplicates(object: COMPANY) { reasons records { ... on Company { name } } } }`);
    expect(result.duplicates).toEqual([{ reasons: ['DOMAIN', 'NAME'], records: expect.arrayContaining([{ name: 'Acme Inc' }, { name: 'ACME' }]) }]);
  });

  it('refuses a page size over 100', async () => {
    expect(await admin.errorCode(`{ duplicates(object: CUSTOMER, first: 500) { score } }`)).toBe('BAD_USER_INPUT');
  });
});

const MERGE = `mutation ($i: MergeCustomersInput!) { mergeCustomers(input: $i) {
  customer { id name email phone tags } mergedIds moved { kind count } changes dryRun } }`;

describe('mergeCustomers', () => {
  it('a dry run reports what would move and changes nothing', async () => {
    const before = await admin.query(CUSTOMER_VIEW, { id: ids.ada2 });
    const result = await admin.query(MERGE, { i: { keep: ids.ada, merge: [ids.ada2], fields: { email: ids.ada2 }, dryRun: true } });
    const moved = Object.fromEntries(result.mergeCustomers.moved.map((m: { kind: string; count: number }) => [m.kind, m.count]));
    expect(moved).toMatchObject({ activities: 1, orders: 2, deals: 1, tickets: 1, tasks: 1, surveyResponses: 1, campaignResponses: 1 });
    expect(result.mergeCustomers.dryRun).toBe(true);
    expect(result.mergeCustomers.changes).toMatchObject({ email: { from: 'ada@math.test', to: 'ada+shop@math.test' } });
    expect(await admin.query(CUSTOMER_VIEW, { id: ids.ada2 })).toEqual(before);
  });

  it('moves everything onto the survivor in one transaction, and the merged id resolves to it', async () => {
    const result = await admin.query(MERGE, { i: { keep: ids.ada, merge: [ids.ada2], fields: { email: ids.ada2 } } });
    expect(result.mergeCustomers.customer).toEqual({ id: ids.ada, name: 'Ada Lovelace', email: 'ada+shop@math.test', phone: '+44 20 7946 0000', tags: ['vip', 'web'] });
    expect(result.mergeCustomers.mergedIds).toEqual([ids.ada2]);
    const view = (await admin.query(CUSTOMER_VIEW, { id: ids.ada })).customer;
    expect(view).toMatchObject({
      lifetimeValue: '30.00', orderCount: 3, mergedFrom: [ids.ada2],
      activities: { totalCount: 2 }, orders: { totalCount: 3 }, deals: { totalCount: 2 }, tickets: { totalCount: 2 }, tasks: { totalCount: 2 },
      surveyResponses: { totalCount: 2 }, campaignResponses: { totalCount: 2 },
    });
    const node = await admin.query(`query ($id: ID!) { node(id: $id) { id ... on Customer { name } } }`, { id: ids.ada2 });
    expect(node.node).toEqual({ id: ids.ada, name: 'Ada Lovelace' });
    // The history tells it, and the merged customer's own history came along.
    const history = await admin.query(`query ($id: ID!) { customer(id: $id) { history(first: 100) { edges { node { type payload } } } } }`, { id: ids.ada });
    const types = history.customer.history.edges.map((e: { node: { type: string } }) => e.node.type);
    expect(types[0]).toBe('customer.merged');
    expect(types.filter((type: string) => type === 'customer.created')).toHaveLength(2);
    expect(history.customer.history.edges[0].node.payload).toMatchObject({ mergedIds: [expect.any(String)], changes: { email: { to: 'ada+shop@math.test' } } });
    expect((await admin.query(`{ duplicates(object: CUSTOMER) { score } }`)).duplicates).toEqual([]);
  });

  it('bad input: the kept record merged into itself, an unknown field source, an unknown id', async () => {
    const code = async (i: Record<string, unknown>) => (await admin.request(MERGE, { i })).errors?.[0]?.extensions;
    expect(await code({ keep: ids.bob, merge: [ids.bob] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'merge' });
    expect(await code({ keep: ids.bob, merge: [ids.ada], fields: { name: ids.company } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fields.name' });
    expect(await code({ keep: ids.bob, merge: [ids.ada2] })).toMatchObject({ code: 'NOT_FOUND', field: 'merge.0' });
  });
});

describe('mergeCompanies', () => {
  it('moves the customers onto the kept company', async () => {
    const other = (await admin.query(`mutation { createCustomer(input: { name: "Carla", companyId: ${JSON.stringify(ids.company2)} }) { customer { id } } }`)).createCustomer.customer.id;
    const result = await admin.query(`mutation ($i: MergeCompaniesInput!) { mergeCompanies(input: $i) { company { id name domain } moved { kind count } } }`, {
      i: { keep: ids.company, merge: [ids.company2], fields: { name: ids.company2 } },
    });
    expect(result.mergeCompanies.company).toEqual({ id: ids.company, name: 'ACME', domain: 'acme.test' });
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { company { id } } }`, { id: other })).customer.company.id).toBe(ids.company);
    expect((await admin.query(`query ($id: ID!) { node(id: $id) { id } }`, { id: ids.company2 })).node.id).toBe(ids.company);
  });
});

describe('roles and tenancy', () => {
  it('READ_ONLY cannot merge', async () => {
    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    expect(await readOnly.errorCode(MERGE, { i: { keep: ids.ada, merge: [ids.bob] } })).toBe('FORBIDDEN');
  });

  it('another workspace finds none of these duplicates, cannot merge them, and merged ids do not resolve there', async () => {
    const other = (await t.createWorkspace('Other')).client;
    await other.query(`mutation { createCustomer(input: { name: "Ada Lovelace", email: "ada@math.test" }) { customer { id } } }`);
    const mine = (await other.query(`mutation { createCustomer(input: { name: "Mine" }) { customer { id } } }`)).createCustomer.customer.id;
    expect((await other.query(`{ duplicates(object: CUSTOMER) { score } }`)).duplicates).toEqual([]);
    expect((await other.request(MERGE, { i: { keep: mine, merge: [ids.bob] } })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await other.request(MERGE, { i: { keep: ids.bob, merge: [mine] } })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await other.query(`query ($id: ID!) { node(id: $id) { id } }`, { id: ids.ada2 })).node).toBeNull();
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { name } }`, { id: ids.bob })).customer.name).toBe('Bob Builder');
  });
});
