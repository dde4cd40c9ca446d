import { createPluginHost, loadPlugins } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';
import { WebhookReceiver } from './webhooks/receiver.js';

// Personal data (docs/data.md): a person seeded everywhere through the API (core rows, every bundled plugin's rows,
// the audit log, webhook delivery logs) is exported as one document, then erased; afterwards no table holds their
// name, email or phone, and the audit log keeps that the erasure happened, by whom.

const NAME = 'Zelda Quince-Marlowe';
const EMAIL = 'zelda.qm@erase.test';
const PHONE = '+1 415 555 0199';
const TRACES = ['Zelda', 'Quince', EMAIL, '415 555 0199', '4155550199'];

let t: TestGateway;
let receiver: WebhookReceiver;
let admin: TestClient;
let zelda: string;
let other: string;

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`still waiting for ${what}`);
}

const rowsOf = async (sql: string) => Number((await t.database.sql.query<{ n: number }>(sql))[0]!.n);

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  const loaded = await loadPlugins({ env: { CRM_PLUGINS: 'loyalty,competitor-feedback,cross-sell' } });
  const host = createPluginHost(loaded.enabled);
  t = await startTestGateway({ plugins: host, migrations: host.migrations, webhooks: { allowPrivateTargets: true, pollIntervalMs: 100, timeoutMs: 5000 } });
  admin = t.workspace.client;
  const q = admin.query.bind(admin);
  await q(`mutation ($u: String!) { createWebhook(input: { url: $u, eventTypes: ["customer.created", "customer.updated", "activity.logged"] }) { webhook { id } } }`, { u: `${receiver.url}/hooks` });
  const competitor = (await q(`mutation { createCompetitor(input: { name: "Rivalco" }) { competitor { id } } }`)).createCompetitor.competitor.id;
  await q(`mutation { createProduct(input: { sku: "P-1", name: "Widget", unitPrice: "40.00" }) { product { id } } }`);
  await q(`mutation { createProduct(input: { sku: "P-2", name: "Gadget", unitPrice: "15.00" }) { product { id } } }`);
  const campaign = (await q(`mutation { createCampaign(input: { name: "Spring", channel: EMAIL, startsAt: "2026-01-01" }) { campaign { id } } }`)).createCampaign.campaign.id;
  await q(`mutation { createSegment(input: { name: "Everyone", filter: {} }) { segment { id } } }`);

  const seedPerson = async (name: string, email: string, phone: string) => {
    const id = (await q(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: { name: `${name} Draft`, email, phone, tags: ['gdpr'] } })).createCustomer.customer.id as string;
    await q(`mutation ($id: ID!, $n: String!) { updateCustomer(input: { id: $id, name: $n }) { customer { id } } }`, { id, n: name });
    const activity = (await q(`mutation ($c: ID!, $b: String!) { logActivity(input: { customerId: $c, type: CALL, channel: PHONE, subject: "Call", body: $b }) { activity { id } } }`, {
      c: id,
      b: `Spoke with ${name} on ${phone}: considering Rivalco`,
    })).logActivity.activity.id;
    await q(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [{ sku: "P-1", quantity: 2 }, { sku: "P-2", quantity: 1 }] }) { order { id } } }`, { c: id });
    await q(`mutation ($c: ID!, $t: String!) { createDeal(input: { customerId: $c, title: $t, amount: "100.00" }) { deal { id } } }`, { c: id, t: `${name} expansion` });
    await q(`mutation ($c: ID!, $s: String!) { createTicket(input: { customerId: $c, subject: $s }) { ticket { id } } }`, { c: id, s: `Refund for ${email}` });
    await q(`mutation ($c: ID!, $t: String!) { createTask(input: { customerId: $c, title: $t }) { task { id } } }`, { c: id, t: `Call ${name}` });
    await q(`mutation ($c: ID!, $m: String!) { recordSurveyResponse(input: { customerId: $c, kind: NPS, score: 9, comment: $m }) { surveyResponse { id } } }`, { c: id, m: `${name} says hi` });
    await q(`mutation ($cp: ID!, $c: ID!) { recordCampaignResponse(input: { campaignId: $cp, customerId: $c, kind: SENT }) { campaignResponse { id } } }`, { cp: campaign, c: id });
    await q(`mutation ($i: RecordCompetitorFeedbackInput!) { recordCompetitorFeedback(input: $i) { feedback { id } } }`, {
      i: { competitorId: competitor, customerId: id, activityId: activity, kind: 'PRICE', sentiment: 'NEGATIVE', note: `${name} finds us dear` },
    });
    return id;
  };
  zelda = await seedPerson(NAME, EMAIL, PHONE);
  other = await seedPerson('Oscar Other', 'oscar@keep.test', '+1 212 555 0100');
  // Subscribers (loyalty points, cross-sell purchases, competitor mentions) and webhook deliveries run after commit.
  await waitFor('plugin rows', async () => (await rowsOf(`SELECT count(*)::int AS n FROM "LoyaltyAccount"`)) === 2 && (await rowsOf(`SELECT count(*)::int AS n FROM "CrossSellPurchase"`)) >= 4);
  await waitFor('webhook deliveries', async () => (await rowsOf(`SELECT count(*)::int AS n FROM "WebhookDelivery" WHERE status = 'DELIVERED'`)) >= 8);
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

/** Every row of every table, as text, that holds one of the person's traces. */
async function tracesLeft(): Promise<string[]> {
  const tables = await t.database.sql.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  const found: string[] = [];
  for (const { name } of tables) {
    const rows = await t.database.sql.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
    for (const { row } of rows) if (TRACES.some((trace) => row.includes(trace))) found.push(`${name}: ${row.slice(0, 200)}`);
  }
  return found;
}

describe('personal data', () => {
  it('the seed left the person in core, plugin and delivery tables (the check below is not vacuous)', async () => {
    const found = await tracesLeft();
    for (const table of ['Customer', 'Activity', 'Deal', 'Ticket', 'Task', 'SurveyResponse', 'Event', 'WebhookDelivery', 'CompetitorFeedback']) {
      expect(found.some((line) => line.startsWith(`${table}:`)), table).toBe(true);
    }
  });

  it('exportPersonalData returns everything held about the person, core and plugins, as one document', async () => {
    const result = await admin.query(`mutation ($c: ID!) { exportPersonalData(input: { customerId: $c }) { document } }`, { c: zelda });
    const document = result.exportPersonalData.document;
    expect(document.customer).toMatchObject({ name: NAME, email: EMAIL, phone: PHONE, phoneE164: '+14155550199' });
    expect(document.records.orders).toHaveLength(1);
    expect(document.records.orders[0].lines).toHaveLength(2);
    for (const kind of ['activities', 'deals', 'tickets', 'tasks', 'surveyResponses', 'campaignResponses', 'segments']) expect(document.records[kind], kind).toHaveLength(1);
    expect(document.history.map((e: { type: string }) => e.type)).toContain('customer.updated');
    expect(Number(document.plugins.loyalty.account.points)).toBeGreaterThan(0); // 64-bit points export as a string
    expect(document.plugins['competitor-feedback'].feedback).toHaveLength(1);
    expect(document.plugins['cross-sell'].purchases).toHaveLength(2);
    expect(JSON.stringify(document)).not.toContain('Oscar');
  });

  it('only ADMIN erases, and another workspace can neither export nor erase the person', async () => {
    const member = await t.issueKey(t.workspace.workspaceId, 'MEMBER');
    expect(await member.errorCode(`mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`, { c: zelda })).toBe('FORBIDDEN');
    const stranger = (await t.createWorkspace('Stranger')).client;
    expect(await stranger.errorCode(`mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`, { c: zelda })).toBe('NOT_FOUND');
    expect(await stranger.errorCode(`mutation ($c: ID!) { exportPersonalData(input: { customerId: $c }) { document } }`, { c: zelda })).toBe('NOT_FOUND');
  });

  it('erasePerson leaves no trace of the name, email or phone in any table, keeps the other person, and logs the erasure', async () => {
    const result = await admin.query(`mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId removed } }`, { c: zelda });
    expect(result.erasePerson.erasedCustomerId).toBe(zelda);
    expect(await tracesLeft()).toEqual([]);
    const kept = await admin.query(`query ($id: ID!) { customer(id: $id) { name orders { totalCount } } }`, { id: other });
    expect(kept.customer).toEqual({ name: 'Oscar Other', orders: { totalCount: 1 } });
    expect(await rowsOf(`SELECT count(*)::int AS n FROM "LoyaltyAccount"`)).toBe(1);
    const log = await admin.query(`{ events(types: ["customer.erased"]) { edges { node { actor payload } } } }`);
    expect(log.events.edges).toEqual([{ node: { actor: expect.stringMatching(/^apikey:/), payload: { removed: expect.objectContaining({ orders: 1 }) } } }]);
  });
});

describe('merging customers with plugin data', () => {
  it('combines the loyalty ledgers (no point lost) through the plugins’ merge hook, dry run included', async () => {
    const q = admin.query.bind(admin);
    const LOYALTY = `query ($id: ID!) { customer(id: $id) { loyalty { points lifetimePoints transactions { totalCount } } } }`;
    const twin = (await q(`mutation { createCustomer(input: { name: "Oscar Twin" }) { customer { id } } }`)).createCustomer.customer.id;
    await q(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [{ sku: "P-1", quantity: 1 }] }) { order { id } } }`, { c: twin });
    await waitFor('the twin’s points', async () => (await rowsOf(`SELECT count(*)::int AS n FROM "LoyaltyAccount"`)) === 2);
    const before = [(await q(LOYALTY, { id: other })).customer.loyalty, (await q(LOYALTY, { id: twin })).customer.loyalty];
    const dry = await q(`mutation ($i: MergeCustomersInput!) { mergeCustomers(input: $i) { moved { kind count } } }`, { i: { keep: other, merge: [twin], dryRun: true } });
    expect(dry.mergeCustomers.moved).toContainEqual({ kind: 'loyalty.LoyaltyTransaction', count: before[1].transactions.totalCount });
    expect((await q(LOYALTY, { id: twin })).customer.loyalty).toEqual(before[1]);

    await q(`mutation ($i: MergeCustomersInput!) { mergeCustomers(input: $i) { customer { id } } }`, { i: { keep: other, merge: [twin] } });
    expect((await q(LOYALTY, { id: other })).customer.loyalty).toEqual({
      points: before[0].points + before[1].points,
      lifetimePoints: before[0].lifetimePoints + before[1].lifetimePoints,
      transactions: { totalCount: before[0].transactions.totalCount + before[1].transactions.totalCount },
    });
    expect(await rowsOf(`SELECT count(*)::int AS n FROM "LoyaltyAccount"`)).toBe(1);
    // The ledger still sums to the balance.
    expect(await rowsOf(`SELECT (sum(t.points) - max(a.points))::int AS n FROM "LoyaltyTransaction" t JOIN "LoyaltyAccount" a ON a.id = t."accountId"`)).toBe(0);
  });
});

