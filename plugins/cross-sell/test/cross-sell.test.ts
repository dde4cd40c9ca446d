// The cross-sell plugin through a real gateway (the SDK's test kit): rules mined from a known purchase pattern with
// hand-computed confidence and lift, incremental updates and redelivery, offers with caps, dismissals and
// unsubscribes, figures, tenancy, and one ranking statement per page of customers. The cap under concurrent offers:
// offer-cap.test.ts (PostgreSQL).
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossSell } from '../src/index.js';

const CREATE_CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const CREATE_PRODUCT = `mutation ($sku: String!, $name: String!) { createProduct(input: { sku: $sku, name: $name, unitPrice: "25.00" }) { product { id } } }`;
const RECORD_ORDER = `mutation ($customerId: ID!) {
  recordOrder(input: { customerId: $customerId, lines: [] }) { order { id } } }`;
const SUGGESTIONS = `query ($id: ID!, $first: Int) { customer(id: $id) { crossSellSuggestions(first: $first) {
  product { sku name } score confidence lift reason } } }`;
const OFFER = `mutation ($c: ID!, $sku: String!) { markSuggestionOffered(input: { customerId: $c, sku: $sku }) { offer { sku antecedentSku } } }`;
const RESPOND = `mutation ($c: ID!, $sku: String!, $r: CrossSellResponseKind!) {
  respondToSuggestion(input: { customerId: $c, sku: $sku, response: $r }) { response { sku response antecedentSku } } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "cross-sell", settings: $settings }) { plugin { settings } } }`;

const PRODUCTS = { A: 'Dripper', B: 'Filters', C: 'Kettle', D: 'Mug' } as const;
type Sku = keyof typeof PRODUCTS;

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [crossSell] });
});
afterAll(async () => {
  await kit?.close();
});

/** A workspace of its own with the four products, and helpers bound to its ADMIN client. */
async function shop(name: string) {
  const { client, workspaceId } = await kit.createWorkspace(name);
  for (const [sku, productName] of Object.entries(PRODUCTS)) await client.query(CREATE_PRODUCT, { sku, name: productName });
  const customer = async (label: string, ...skus: Sku[]) => {
    const id = (await client.query(CREATE_CUSTOMER, { name: label })).createCustomer.customer.id as string;
    if (skus.length) await order(id, ...skus);
    return id;
  };
  const order = async (customerId: string, ...skus: Sku[]) => {
    await client.query(RECORD_ORDER.replace('lines: []', `lines: [${skus.map((s) => `{ sku: "${s}", quantity: 1 }`).join(', ')}]`), { customerId });
    await kit.settled();
  };
  const suggestions = async (id: string, first = 5) => (await client.query(SUGGESTIONS, { id, first })).customer.crossSellSuggestions;
  return { client, workspaceId, customer, order, suggestions };
}

/**
 * The pattern: c1 {A,B}, c2 {A,B}, c3 {A,C}, c4 {A,B,C}, c5 {D}, target {A}. N = 6; A bought by 5, B by 3, C by 2, D by 1.
 * A → B: 3 of 5 = 0.6, lift 0.6 / (3/6) = 1.2. A → C: 2 of 5 = 0.4, lift 0.4 / (2/6) = 1.2. D: no rule (popularity 1/6).
 */
async function knownPattern(name: string) {
  const s = await shop(name);
  const c1 = await s.customer('c1', 'A', 'B');
  const c2 = await s.customer('c2', 'A', 'B');
  const c3 = await s.customer('c3', 'A', 'C');
  const c4 = await s.customer('c4', 'A', 'B', 'C');
  const c5 = await s.customer('c5', 'D');
  const target = await s.customer('target', 'A');
  return { ...s, c1, c2, c3, c4, c5, target };
}

describe('cross-sell', () => {
  it('ranks suggestions on a known purchase pattern (hand-computed confidence and lift), never a bought product', async () => {
    const s = await knownPattern('Ranking');
    expect(await s.suggestions(s.target)).toEqual([
      { product: { sku: 'B', name: 'Filters' }, score: 0.6, confidence: 0.6, lift: expect.closeTo(1.2, 9), reason: 'bought by 3 of 5 customers who bought Dripper' },
      { product: { sku: 'C', name: 'Kettle' }, score: 0.4, confidence: 0.4, lift: expect.closeTo(1.2, 9), reason: 'bought by 2 of 5 customers who bought Dripper' },
      { product: { sku: 'D', name: 'Mug' }, score: expect.closeTo(1 / 6, 9), confidence: null, lift: null, reason: 'popular: bought by 1 of 6 customers' },
    ]);
    expect((await s.suggestions(s.target, 1)).map((x: { product: { sku: string } }) => x.product.sku)).toEqual(['B']);
    // The product rows come out of the ranking statement: every field as the Product node resolves it elsewhere.
    const fields = `id sku name unitPrice unitCost category active createdAt`;
    const suggested = await s.client.query(`query ($id: ID!) { customer(id: $id) { crossSellSuggestions(first: 1) { product { ${fields} } } } }`, { id: s.target });
    const [{ product }] = suggested.customer.crossSellSuggestions;
    expect(product).toMatchObject({ sku: 'B', unitPrice: '25.00', active: true });
    expect((await s.client.query(`query ($id: ID!) { node(id: $id) { ... on Product { ${fields} } } }`, { id: product.id })).node).toEqual(product);
    // c4 bought A, B and C: only D is left, by popularity. c5 bought D only: D → x has 1 customer, below the floor of 2.
    expect((await s.suggestions(s.c4)).map((x: { product: { sku: string } }) => x.product.sku)).toEqual(['D']);
    expect((await s.suggestions(s.c5)).map((x: { reason: string }) => x.reason)).toEqual([
      'popular: bought by 5 of 6 customers',
      'popular: bought by 3 of 6 customers',
      'popular: bought by 2 of 6 customers',
    ]);
    // A customer without history gets the popular products.
    const fresh = await s.customer('newcomer');
    expect((await s.suggestions(fresh)).map((x: { product: { sku: string } }) => x.product.sku)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('updates the rules incrementally on a new order, and a redelivered order.recorded changes nothing', async () => {
    const s = await knownPattern('Incremental');
    await s.order(s.target, 'B');
    // Now A bought by 5, B by 4, A → B by 4: for c3 {A,C}, B has confidence 4/5 and lift 0.8 / (4/6) = 1.2.
    const expected = [{ product: { sku: 'B', name: 'Filters' }, score: 0.8, confidence: 0.8, lift: expect.closeTo(1.2, 9), reason: 'bought by 4 of 5 customers who bought Dripper' }];
    expect((await s.suggestions(s.c3)).slice(0, 1)).toEqual(expected);
    expect((await s.suggestions(s.target)).map((x: { product: { sku: string } }) => x.product.sku)).toEqual(['C', 'D']);
    const event = await kit.lastEvent('order.recorded', s.workspaceId);
    kit.gateway.plugins!.dispatch([event, event]);
    await kit.settled();
    expect((await s.suggestions(s.c3)).slice(0, 1)).toEqual(expected);
    // The full rebuild agrees with the incremental counts (pairs A-B, A-C, B-C in both directions).
    const counts = () =>
      kit.database.prisma.crossSellPairCount.findMany({
        where: { workspaceId: s.workspaceId },
        select: { antecedentSku: true, consequentSku: true, customers: true },
        orderBy: [{ antecedentSku: 'asc' }, { consequentSku: 'asc' }],
      });
    const incremental = await counts();
    const rebuilt = await s.client.query(`mutation { rebuildCrossSellRules { customers products pairs } }`);
    expect(rebuilt.rebuildCrossSellRules).toEqual({ customers: 6, products: 4, pairs: 6 });
    expect(await counts()).toEqual(incremental);
    expect((await s.suggestions(s.c3)).slice(0, 1)).toEqual(expected);
  });

  it('respects dismissals and the offer cap, and publishes crosssell.* events', async () => {
    const s = await knownPattern('Caps');
    await s.client.query(SETTINGS, { settings: { maxOffersPerPeriod: 2 } });
    expect((await s.client.query(OFFER, { c: s.target, sku: 'C' })).markSuggestionOffered.offer).toEqual({ sku: 'C', antecedentSku: 'A' });
    expect((await s.client.query(RESPOND, { c: s.target, sku: 'C', r: 'DISMISSED' })).respondToSuggestion.response).toEqual({ sku: 'C', response: 'DISMISSED', antecedentSku: 'A' });
    expect((await s.suggestions(s.target)).map((x: { product: { sku: string } }) => x.product.sku)).toEqual(['B', 'D']);
    expect(await s.client.errorCode(OFFER, { c: s.target, sku: 'C' })).toBe('CONFLICT');
    expect(await s.client.errorCode(OFFER, { c: s.target, sku: 'A' })).toBe('CONFLICT'); // already bought
    await s.client.query(OFFER, { c: s.target, sku: 'B' });
    // The offers are a declared object: filtered by customer (the read engine's statement) and grouped by SKU.
    const offers = `query ($c: ID!) { crossSellOffers(filter: { customerId: { eq: $c } }, orderBy: [{ field: SKU, direction: ASC }]) {
      totalCount edges { node { sku antecedentSku offeredAt } } } crossSellOffersGroupBy(by: [{ field: SKU }]) { key { sku } aggregate { count } } }`;
    const statements = await kit.sql.during(async () => {
      const made = await s.client.query(offers, { c: s.target });
      expect(made.crossSellOffers.edges.map((e: { node: { sku: string } }) => e.node.sku)).toEqual(['B', 'C']);
      expect(made.crossSellOffersGroupBy).toEqual([{ key: { sku: 'B' }, aggregate: { count: 1 } }, { key: { sku: 'C' }, aggregate: { count: 1 } }]);
    });
    // The list, the group-by and the plugin's switch: the read engine's one statement.
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^SELECT json_build_object\('crossSellOffers', /);
    expect(statements[0]).toContain("'crossSellOffersGroupBy', ");
    expect((await s.client.query(offers, { c: s.c1 })).crossSellOffers.totalCount).toBe(0);
    // Two offers in the period: the cap is reached, nothing more is suggested or offered.
    expect(await s.suggestions(s.target)).toEqual([]);
    const capped = await s.client.request(OFFER, { c: s.target, sku: 'D' });
    expect(capped.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'customerId' });
    // Another customer is not affected by the target's offers.
    expect((await s.suggestions(s.c1)).length).toBeGreaterThan(0);
    const types = await kit.database.prisma.event.findMany({ where: { workspaceId: s.workspaceId, type: { startsWith: 'crosssell.' } }, orderBy: { seq: 'asc' } });
    expect(types.map((e) => e.type)).toEqual(['crosssell.offered', 'crosssell.dismissed', 'crosssell.offered']);
    // The read path ranks with the stored settings (read by the ranking statement itself): no dismissal period, a higher cap.
    await s.client.query(SETTINGS, { settings: { maxOffersPerPeriod: 10, dismissalDays: 0 } });
    expect((await s.suggestions(s.target)).map((x: { product: { sku: string } }) => x.product.sku).sort()).toEqual(['B', 'C', 'D']);
    const bad = await s.client.request(SETTINGS, { settings: { maxOffersPerPeriod: -1 } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'settings.maxOffersPerPeriod' });
    const reader = await kit.issueKey(s.workspaceId, 'READ_ONLY');
    expect(await reader.errorCode(OFFER, { c: s.c1, sku: 'C' })).toBe('FORBIDDEN');
  });

  it('does not offer anything to customers who unsubscribed from campaigns', async () => {
    const s = await knownPattern('Unsubscribed');
    const campaign = await s.client.query(`mutation { createCampaign(input: { name: "Spring", channel: EMAIL }) { campaign { id } } }`);
    await s.client.query(`mutation ($cp: ID!, $c: ID!) { recordCampaignResponse(input: { campaignId: $cp, customerId: $c, kind: UNSUBSCRIBED }) { __typename } }`, {
      cp: campaign.createCampaign.campaign.id,
      c: s.c3,
    });
    expect(await s.suggestions(s.c3)).toEqual([]);
    const refused = await s.client.request(OFFER, { c: s.c3, sku: 'B' });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'customerId' });
    expect((await s.suggestions(s.c1)).length).toBeGreaterThan(0);
  });

  it('reports acceptance per pair and the revenue of accepted suggestions within the window', async () => {
    const s = await knownPattern('Figures');
    await s.client.query(OFFER, { c: s.c1, sku: 'C' });
    await s.client.query(RESPOND, { c: s.c1, sku: 'C', r: 'ACCEPTED' });
    await s.client.query(OFFER, { c: s.c2, sku: 'C' });
    await s.client.query(RESPOND, { c: s.c2, sku: 'C', r: 'DISMISSED' });
    await s.client.query(OFFER, { c: s.target, sku: 'B' });
    await s.order(s.c1, 'C', 'D'); // C is attributed (25.00); D was not accepted
    await s.order(s.c2, 'C'); // dismissed: not attributed
    const figures = await s.client.query(`{ crossSellFigures { accepted acceptedRevenue pairs { antecedentSku sku offered accepted dismissed acceptanceRate } } }`);
    expect(figures.crossSellFigures).toEqual({
      accepted: 1,
      acceptedRevenue: '25.00',
      pairs: [
        { antecedentSku: 'A', sku: 'C', offered: 2, accepted: 1, dismissed: 1, acceptanceRate: 0.5 },
        { antecedentSku: 'A', sku: 'B', offered: 1, accepted: 0, dismissed: 0, acceptanceRate: 0 },
      ],
    });
    const events = await kit.database.prisma.event.count({ where: { workspaceId: s.workspaceId, type: 'crosssell.accepted' } });
    expect(events).toBe(1);
  });

  it('keeps workspaces apart: nothing of workspace A informs B', async () => {
    const a = await knownPattern('Tenant A');
    const b = await shop('Tenant B');
    const x = await b.customer('x', 'A');
    await b.customer('y', 'A', 'D');
    await b.customer('z', 'A', 'D');
    // In B: A bought by 3, D by 2, A → D by 2: confidence 2/3, lift (2/3) / (2/3) = 1. B and C were never bought in B.
    expect(await b.suggestions(x)).toEqual([
      { product: { sku: 'D', name: 'Mug' }, score: expect.closeTo(2 / 3, 9), confidence: expect.closeTo(2 / 3, 9), lift: expect.closeTo(1, 9), reason: 'bought by 2 of 3 customers who bought Dripper' },
    ]);
    // A's figures did not move with B's orders; B's key cannot read A's customer.
    expect((await a.suggestions(a.target)).map((s: { reason: string }) => s.reason)).toEqual([
      'bought by 3 of 5 customers who bought Dripper',
      'bought by 2 of 5 customers who bought Dripper',
      'popular: bought by 1 of 6 customers',
    ]);
    expect((await b.client.query(SUGGESTIONS, { id: a.target })).customer).toBeNull();
    expect(await b.client.errorCode(OFFER, { c: a.target, sku: 'B' })).toBe('NOT_FOUND');
  });

  it('loads suggestions for a page of customers in a fixed number of queries', async () => {
    const s = await knownPattern('Batched');
    const page = (first: number) => s.client.query(`query ($first: Int!) { customers(first: $first) { edges { node { name crossSellSuggestions(first: 3) { product { sku } reason } } } } }`, { first });
    const small = await kit.sql.during(() => page(2));
    const large = await kit.sql.during(() => page(6));
    expect(large.length).toBe(small.length);
    // The ranking is one statement for the whole page (besides the page itself and the key; it reads the settings itself).
    expect(large.filter((statement) => statement.includes('"CrossSellPairCount"'))).toHaveLength(1);
    const data = await page(6);
    expect(data.customers.edges).toHaveLength(6);
    for (const edge of data.customers.edges) expect(edge.node.crossSellSuggestions.length).toBeGreaterThan(0);
  });
});

describe('cross-sell for a restricted key', () => {
  // The ranking statement is the plugin's own SQL (the SDK's `sql`): run for an API key, every core table it reads is
  // narrowed by the key's role, like every other read made for it (docs/security.md).
  it('narrows the ranking statement by the key’s role: a role that does not read products gets none', async () => {
    const s = await knownPattern('Narrowed by role');
    const keyWith = async (name: string, permissions: object[]) => {
      const { createRole } = await s.client.query(
        `mutation ($n: String!, $p: [ObjectPermissionInput!]!) { createRole(input: { name: $n, permissions: $p, pluginPermissions: ["cross-sell.read"] }) { role { id } } }`,
        { n: name, p: permissions },
      );
      const { createApiKey } = await s.client.query(`mutation ($r: ID!) { createApiKey(input: { name: "k", roleId: $r }) { secret } }`, { r: createRole.role.id });
      return kit.client(createApiKey.secret);
    };
    const skus = async (client: TestClient) =>
      (await client.query(SUGGESTIONS, { id: s.target, first: 5 })).customer.crossSellSuggestions.map((x: { product: { sku: string } }) => x.product.sku);
    const reader = await keyWith('Reads products', [{ object: 'Customer', read: true }, { object: 'Product', read: true }, { object: 'Order', read: true }]);
    expect(await skus(reader)).toEqual(['B', 'C', 'D']);
    const blind = await keyWith('No products', [{ object: 'Customer', read: true }, { object: 'Order', read: true }]);
    expect(await skus(blind)).toEqual([]);
  });
});
