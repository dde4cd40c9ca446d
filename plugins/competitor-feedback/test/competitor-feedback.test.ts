// The competitor feedback plugin through a real gateway (the SDK's test kit): the library and its validation,
// feedback, mention detection (tricky names, redelivery), lost-to-competitor figures on a hand-computed fixture,
// insights and landscape, defections, tenancy, permissions, and batching of Customer.competitorMentions.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { competitorFeedback } from '../src/index.js';

const CREATE = `mutation ($input: CompetitorFields!) { createCompetitor(input: $input) { competitor { id name website aliases } } }`;
const CREATE_CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const LOG = `mutation ($customerId: ID!, $subject: String!, $body: String) {
  logActivity(input: { customerId: $customerId, type: CALL, channel: PHONE, subject: $subject, body: $body }) { activity { id } } }`;
const MENTIONS = `query ($id: ID!) { customer(id: $id) { competitorMentions { matched competitor { name } } } }`;
const CREATE_DEAL = `mutation ($customerId: ID!, $amount: Decimal!) {
  createDeal(input: { customerId: $customerId, title: "Espresso machines", amount: $amount }) { deal { id pipeline { stages { id isWon isLost } } } } }`;
const LINK = `mutation ($dealId: ID!, $competitorId: ID!) { linkCompetitorToDeal(input: { dealId: $dealId, competitorId: $competitorId }) { link { outcome } } }`;
const LOST = `mutation ($dealId: ID!, $competitorId: ID!, $reason: String!) {
  markDealLostToCompetitor(input: { dealId: $dealId, competitorId: $competitorId, reason: $reason }) { link { outcome amount lostReason } } }`;
const FEEDBACK = `mutation ($input: RecordCompetitorFeedbackInput!) { recordCompetitorFeedback(input: $input) { feedback { priceGap kind sentiment } } }`;
const INSIGHTS = `query ($id: ID!, $from: DateTime!, $to: DateTime!) { competitorInsights(competitorId: $id, from: $from, to: $to) {
  mentions sentiment { positive neutral negative } dealsLost dealsWon winRate lostRevenue topLossReasons { reason deals }
  averagePriceGap priceObservations defections } }`;
const LANDSCAPE = `query ($from: DateTime!, $to: DateTime!) { competitiveLandscape(from: $from, to: $to) {
  rank competitor { name } lostRevenue dealsLost dealsWon defections mentions } }`;

let kit: PluginTestGateway;
let admin: TestClient;
const from = new Date(Date.now() - 3_600_000).toISOString();
const to = new Date(Date.now() + 3_600_000).toISOString();

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [competitorFeedback] });
  admin = kit.workspace.client;
});
afterAll(async () => {
  await kit?.close();
});

async function competitor(input: Record<string, unknown>, client = admin): Promise<string> {
  return (await client.query(CREATE, { input })).createCompetitor.competitor.id as string;
}
async function customer(name: string, client = admin): Promise<string> {
  return (await client.query(CREATE_CUSTOMER, { name })).createCustomer.customer.id as string;
}
async function log(customerId: string, subject: string, body?: string, client = admin): Promise<string> {
  const id = (await client.query(LOG, { customerId, subject, body })).logActivity.activity.id as string;
  await kit.settled();
  return id;
}
async function deal(customerId: string, amount: string, client = admin) {
  return (await client.query(CREATE_DEAL, { customerId, amount })).createDeal.deal as { id: string; pipeline: { stages: { id: string; isWon: boolean }[] } };
}
async function win(d: Awaited<ReturnType<typeof deal>>, client = admin) {
  const stageId = d.pipeline.stages.find((s) => s.isWon)!.id;
  await client.query(`mutation ($id: ID!, $stageId: ID!) { moveDeal(input: { id: $id, stageId: $stageId }) { deal { status } } }`, { id: d.id, stageId });
  await kit.settled();
}

describe('competitor library', () => {
  it('creates competitors with trimmed, deduplicated aliases; names are unique per workspace; URLs are checked', async () => {
    const created = (await admin.query(CREATE, { input: { name: '  Roastly ', website: 'https://roastly.example', aliases: [' Roast ', 'roast', '', 'RoastlyCo'] } }))
      .createCompetitor.competitor;
    expect(created).toMatchObject({ name: 'Roastly', website: 'https://roastly.example', aliases: ['Roast', 'RoastlyCo'] });
    const dup = await admin.request(CREATE, { input: { name: 'ROASTLY' } });
    expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
    const badUrl = await admin.request(CREATE, { input: { name: 'Other', website: 'not a url' } });
    expect(badUrl.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'website' });
    const ftp = await admin.request(CREATE, { input: { name: 'Other', website: 'ftp://x.example' } });
    expect(ftp.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'website' });

    const updated = await admin.query(
      `mutation ($id: ID!) { updateCompetitor(id: $id, input: { strengths: "Cheap", weaknesses: "Slow", website: null }) { competitor { name website strengths weaknesses } } }`,
      { id: created.id },
    );
    expect(updated.updateCompetitor.competitor).toEqual({ name: 'Roastly', website: null, strengths: 'Cheap', weaknesses: 'Slow' });
    const one = await admin.query(`query ($id: ID!) { competitor(id: $id) { name aliases } }`, { id: created.id });
    expect(one.competitor).toEqual({ name: 'Roastly', aliases: ['Roast', 'RoastlyCo'] });
    const list = await admin.query(`{ competitors(first: 10) { totalCount edges { node { name } } } }`);
    expect(list.competitors.edges.map((e: { node: { name: string } }) => e.node.name)).toContain('Roastly');
  });

  it('is a declared object: the filter language, ordering, aggregates, group-by and search, in one statement', async () => {
    await competitor({ name: 'Brewster', website: 'https://brewster.example', aliases: ['Brew'] });
    const query = `{
      competitors(filter: { or: [{ strengths: { contains: "CHEAP" } }, { aliases: { has: "Brew" } }] }, orderBy: [{ field: NAME, direction: DESC }]) {
        totalCount aggregate { count countDistinct(field: WEBSITE) min { createdAt } } edges { node { name } }
      }
    }`;
    const statements = await kit.sql.during(() => admin.query(query));
    expect(statements).toHaveLength(1); // the read engine answers the plugin's list too
    const result = await admin.query(query);
    expect(result.competitors.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Roastly', 'Brewster']);
    expect(result.competitors.aggregate).toMatchObject({ count: 2, countDistinct: 1 });
    const groups = await admin.query(`{ competitorsGroupBy(by: [{ field: CREATED_AT, truncate: YEAR }]) { aggregate { count } } }`);
    expect(groups.competitorsGroupBy).toEqual([{ aggregate: { count: 2 } }]);
    const found = await admin.query(`{ competitors(search: "brews") { edges { node { name } } } search(query: "roastly", types: [Competitor]) { node { ... on Competitor { name } } } }`);
    expect(found.competitors.edges).toEqual([{ node: { name: 'Brewster' } }]);
    expect(found.search).toEqual([{ node: { name: 'Roastly' } }]);
  });
});

describe('mention detection', () => {
  it('finds names and aliases (tricky ones too) in subject and body, once per activity even when redelivered', async () => {
    await competitor({ name: 'C++ Beans', aliases: ['C++'] });
    await competitor({ name: 'Acme Inc.', aliases: [] });
    await competitor({ name: 'Zürich Kaffee', aliases: [] });
    const c = await customer('Mentioning Mary');
    await log(c, 'Call about pricing', 'She said c++ quoted less, and ACME INC. too.');
    await log(c, 'Zürich Kaffeemaschine broke', 'Nothing about Acme Incorporated or C+');
    await log(c, 'Visit from zürich kaffee');
    const mentions = (await admin.query(MENTIONS, { id: c })).customer.competitorMentions;
    expect(mentions.map((m: { competitor: { name: string } }) => m.competitor.name).sort()).toEqual(['Acme Inc.', 'C++ Beans', 'Zürich Kaffee']);
    expect(mentions.find((m: { competitor: { name: string } }) => m.competitor.name === 'C++ Beans').matched).toBe('c++');

    const events = await kit.recentEvents('activity.logged', { take: 3 });
    const mentionedBefore = await kit.database.prisma.event.count({ where: { type: 'competitor.mentioned' } });
    kit.gateway.plugins!.dispatch([...events, ...events]);
    await kit.settled();
    expect((await admin.query(MENTIONS, { id: c })).customer.competitorMentions).toHaveLength(3);
    expect(await kit.database.prisma.event.count({ where: { type: 'competitor.mentioned' } })).toBe(mentionedBefore);
    // Without the SDK's processed marks (as after a restore), the plugin's own unique key still keeps one mention.
    const marks = await kit.database.prisma.pluginDelivery.deleteMany({ where: { pluginId: 'competitor-feedback', subscriber: 'detectMentions' } });
    expect(marks.count).toBeGreaterThanOrEqual(3);
    kit.gateway.plugins!.dispatch(events);
    await kit.settled();
    expect((await admin.query(MENTIONS, { id: c })).customer.competitorMentions).toHaveLength(3);
    expect(await kit.database.prisma.event.count({ where: { type: 'competitor.mentioned' } })).toBe(mentionedBefore);
  });

  it('loads Customer.competitorMentions for a page of customers in a constant number of statements', async () => {
    const page = `{ customers(first: 20) { edges { node { name competitorMentions { matched competitor { name } } } } } }`;
    const small = await kit.sql.during(() => admin.query(`{ customers(first: 2) { edges { node { competitorMentions { matched competitor { name } } } } } }`));
    for (let i = 0; i < 6; i++) await log(await customer(`Batch ${i}`), `Acme Inc. called ${i}`);
    const large = await kit.sql.during(() => admin.query(page));
    expect(large.length).toBe(small.length);
  });
});

describe('deals, insights and landscape', () => {
  // The fixture, by hand: BeanBox takes 1000.00 (Price), 250.50 (Price) and 400.00 (Feature gap) = 1650.50 in 3
  // deals, and loses one 900.00 deal it was linked to: win rate 1 / 4 = 0.25. Grindy takes 300.00 (Price).
  // Feedback on BeanBox: gaps 40 - 50 = -10.00 and 45.50 - 50 = -4.50, average -7.25; one of each sentiment.
  let beanBox: string;
  let grindy: string;
  let quiet: string;
  beforeAll(async () => {
    beanBox = await competitor({ name: 'BeanBox', aliases: ['Bean Box'] });
    grindy = await competitor({ name: 'Grindy' });
    quiet = await competitor({ name: 'Quiet Co' });
    const c = await customer('Dana Deals');
    for (const [amount, reason] of [['1000.00', 'Price'], ['250.50', 'Price'], ['400.00', 'Feature gap']] as const) {
      const d = await deal(c, amount);
      await admin.query(LINK, { dealId: d.id, competitorId: beanBox });
      const lost = await admin.query(LOST, { dealId: d.id, competitorId: beanBox, reason });
      expect(lost.markDealLostToCompetitor.link).toEqual({ outcome: 'LOST_TO_COMPETITOR', amount, lostReason: reason });
    }
    const won = await deal(c, '900.00');
    await admin.query(LINK, { dealId: won.id, competitorId: beanBox });
    await win(won);
    const lostToGrindy = await deal(c, '300.00');
    await admin.query(LOST, { dealId: lostToGrindy.id, competitorId: grindy, reason: 'Price' });
    await kit.settled();
    const feedback = (input: Record<string, unknown>) => admin.query(FEEDBACK, { input: { competitorId: beanBox, customerId: c, ...input } });
    await feedback({ kind: 'PRICE', sentiment: 'NEGATIVE', theirPrice: '40', ourPrice: '50' });
    await feedback({ kind: 'PRICE', sentiment: 'NEUTRAL', theirPrice: '45.50', ourPrice: '50.00' });
    await feedback({ kind: 'SERVICE', sentiment: 'POSITIVE', note: 'Their support is slow' });
    await log(c, 'Bean Box offered a discount');
  });

  it('moves a lost deal to the lost stage with the reason, through the core command, and emits its events', async () => {
    const c = await customer('Lou Lost');
    const d = await deal(c, '10.00');
    await admin.query(LOST, { dealId: d.id, competitorId: quiet, reason: 'Timing' });
    const after = await admin.query(`query ($id: ID!) { deal(id: $id) { status lostReason stage { isLost } } }`, { id: d.id });
    expect(after.deal).toEqual({ status: 'LOST', lostReason: 'Timing', stage: { isLost: true } });
    const types = (await kit.database.prisma.event.findMany({ orderBy: { seq: 'desc' }, take: 3 })).map((e) => e.type).sort();
    expect(types).toEqual(['competitor.deal_lost', 'deal.lost', 'deal.stage_changed']);
    const again = await admin.request(LOST, { dealId: d.id, competitorId: quiet, reason: 'Timing' });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'dealId' });
    const blank = await admin.request(LOST, { dealId: (await deal(c, '1.00')).id, competitorId: quiet, reason: '  ' });
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    // Nothing was left behind by the refused calls: one lost link for Quiet Co.
    expect(await kit.database.prisma.competitorDeal.count({ where: { competitor: { name: 'Quiet Co' } } })).toBe(1);
  });

  it('shows the competitors of each deal and outcomes on Deal.competitors, a page of deals in a constant number of statements', async () => {
    const page = (first: number) => `{ deals(first: ${first}) { edges { node { amount competitors { outcome lostReason competitor { name } } } } } }`;
    const data = await admin.query(page(50));
    const byAmount = new Map(data.deals.edges.map((e: { node: { amount: string; competitors: unknown[] } }) => [e.node.amount, e.node.competitors]));
    expect(byAmount.get('900.00')).toEqual([{ outcome: 'WON', lostReason: null, competitor: { name: 'BeanBox' } }]);
    expect(byAmount.get('250.50')).toEqual([{ outcome: 'LOST_TO_COMPETITOR', lostReason: 'Price', competitor: { name: 'BeanBox' } }]);
    expect(byAmount.get('300.00')).toEqual([{ outcome: 'LOST_TO_COMPETITOR', lostReason: 'Price', competitor: { name: 'Grindy' } }]);
    const small = await kit.sql.during(() => admin.query(page(1)));
    const large = await kit.sql.during(() => admin.query(page(50)));
    expect(large.length).toBe(small.length);
  });

  it('computes the insights of the hand-computed fixture with SQL aggregates', async () => {
    const data = await admin.query(INSIGHTS, { id: beanBox, from, to });
    expect(data.competitorInsights).toEqual({
      mentions: 1,
      sentiment: { positive: 1, neutral: 1, negative: 1 },
      dealsLost: 3,
      dealsWon: 1,
      winRate: 0.25,
      lostRevenue: '1650.50',
      topLossReasons: [
        { reason: 'Price', deals: 2 },
        { reason: 'Feature gap', deals: 1 },
      ],
      averagePriceGap: '-7.25',
      priceObservations: 2,
      defections: 0,
    });
    const before = await admin.query(INSIGHTS, { id: beanBox, from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' });
    expect(before.competitorInsights).toMatchObject({ mentions: 0, dealsLost: 0, dealsWon: 0, winRate: null, lostRevenue: '0.00', averagePriceGap: null });
  });

  it('records defections from a churn reason naming a competitor and by mutation, and ranks the landscape', async () => {
    const viaChurn = await customer('Chris Churn');
    await admin.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, lifecycleStage: CHURNED, churnReason: "Went to Grindy for the price" }) { customer { id } } }`, {
      id: viaChurn,
    });
    await kit.settled();
    const byHand = await customer('Hana Hand');
    const notChurned = await admin.request(
      `mutation ($c: ID!, $k: ID!) { recordDefection(input: { customerId: $c, competitorId: $k, reason: "Cheaper" }) { defection { reason } } }`,
      { c: byHand, k: quiet },
    );
    expect(notChurned.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerId' });
    await admin.query(`mutation ($id: ID!) { updateCustomer(input: { id: $id, lifecycleStage: CHURNED }) { customer { id } } }`, { id: byHand });
    const recorded = await admin.query(
      `mutation ($c: ID!, $k: ID!) { recordDefection(input: { customerId: $c, competitorId: $k, reason: "Cheaper" }) { defection { reason competitor { name } } } }`,
      { c: byHand, k: quiet },
    );
    expect(recorded.recordDefection.defection).toEqual({ reason: 'Cheaper', competitor: { name: 'Quiet Co' } });

    const landscape = (await admin.query(LANDSCAPE, { from, to })).competitiveLandscape as { competitor: { name: string } }[];
    const row = (name: string) => landscape.find((r) => r.competitor.name === name);
    expect(landscape[0]).toEqual({ rank: 1, competitor: { name: 'BeanBox' }, lostRevenue: '1650.50', dealsLost: 3, dealsWon: 1, defections: 0, mentions: 1 });
    expect(landscape[1]).toEqual({ rank: 2, competitor: { name: 'Grindy' }, lostRevenue: '300.00', dealsLost: 1, dealsWon: 0, defections: 1, mentions: 0 });
    expect(landscape[2]).toEqual({ rank: 3, competitor: { name: 'Quiet Co' }, lostRevenue: '10.00', dealsLost: 1, dealsWon: 0, defections: 1, mentions: 0 });
    expect(row('Roastly')).toMatchObject({ lostRevenue: '0.00', dealsLost: 0 });
  });

  it('keeps workspaces apart: nothing of workspace A informs workspace B', async () => {
    const other = await kit.createWorkspace('Other Roasters');
    const b = other.client;
    const bBeanBox = await competitor({ name: 'BeanBox' }, b); // the same name is free in another workspace
    const bCustomer = await customer('Bea B', b);
    await log(bCustomer, 'Asked about BeanBox', undefined, b);
    const insights = await b.query(INSIGHTS, { id: bBeanBox, from, to });
    expect(insights.competitorInsights).toMatchObject({ mentions: 1, dealsLost: 0, dealsWon: 0, lostRevenue: '0.00', averagePriceGap: null, defections: 0 });
    const landscape = await b.query(LANDSCAPE, { from, to });
    expect(landscape.competitiveLandscape).toEqual([{ rank: 1, competitor: { name: 'BeanBox' }, lostRevenue: '0.00', dealsLost: 0, dealsWon: 0, defections: 0, mentions: 1 }]);
    const foreign = await b.request(INSIGHTS, { id: beanBox, from, to });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const foreignLink = await b.request(LINK, { dealId: (await deal(bCustomer, '5.00', b)).id, competitorId: beanBox });
    expect(foreignLink.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await b.query(`{ competitors(first: 50) { totalCount } }`)).competitors.totalCount).toBe(1);
  });

  it('lets READ_ONLY keys read but not write', async () => {
    const reader = await kit.issueKey(kit.workspace.workspaceId, 'READ_ONLY');
    expect((await reader.query(INSIGHTS, { id: beanBox, from, to })).competitorInsights.dealsLost).toBe(3);
    const refused = await reader.request(CREATE, { input: { name: 'Sneaky' } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const refusedFeedback = await reader.request(FEEDBACK, { input: { competitorId: beanBox, kind: 'OTHER', sentiment: 'NEUTRAL' } });
    expect(refusedFeedback.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    expect((await member.query(FEEDBACK, { input: { competitorId: quiet, kind: 'OTHER', sentiment: 'NEUTRAL' } })).recordCompetitorFeedback.feedback.kind).toBe('OTHER');
  });
});

describe('deal links from both sides', () => {
  const UNLINK = `mutation ($dealId: ID!, $competitorId: ID!) { unlinkCompetitorFromDeal(input: { dealId: $dealId, competitorId: $competitorId }) {
    deal { id competitors { competitor { name } } } competitor { name } unlinkedLinkId } }`;
  const COMPETITORS_OF = `query ($id: ID!) { deal(id: $id) { competitors { outcome competitor { name } } } }`;
  const LOG_ON_DEAL = `mutation ($customerId: ID!, $dealId: ID!, $subject: String!) {
    logActivity(input: { customerId: $customerId, dealId: $dealId, type: CALL, channel: PHONE, subject: $subject }) { activity { id } } }`;
  const SETTINGS = `mutation ($s: JSON!) { updatePluginSettings(input: { pluginId: "competitor-feedback", settings: $s }) { plugin { id } } }`;

  it('unlinks a competitor from a deal; NOT_FOUND when not linked, CONFLICT while the deal stands lost to it', async () => {
    const { client, workspaceId } = await kit.createWorkspace('Unlinking Roasters');
    const brewster = await competitor({ name: 'Brewster' }, client);
    const kiln = await competitor({ name: 'Kiln' }, client);
    const c = await customer('Uma Unlink', client);
    const d = await deal(c, '700.00', client);
    await client.query(LINK, { dealId: d.id, competitorId: brewster });
    await client.query(LINK, { dealId: d.id, competitorId: kiln });
    const removed = (await client.query(UNLINK, { dealId: d.id, competitorId: brewster })).unlinkCompetitorFromDeal;
    expect(removed).toMatchObject({ deal: { id: d.id, competitors: [{ competitor: { name: 'Kiln' } }] }, competitor: { name: 'Brewster' } });
    expect(await kit.database.prisma.competitorDeal.count({ where: { workspaceId } })).toBe(1);
    expect((await client.request(`{ node(id: "${removed.unlinkedLinkId}") { id } }`)).data?.node).toBeNull();
    const again = await client.request(UNLINK, { dealId: d.id, competitorId: brewster });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'competitorId' });

    // Lost to Kiln: unlinking would erase the loss from the figures. Reopened, the link is OPEN and may go.
    await client.query(LOST, { dealId: d.id, competitorId: kiln, reason: 'Price' });
    const refused = await client.request(UNLINK, { dealId: d.id, competitorId: kiln });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'competitorId' });
    const open = d.pipeline.stages.find((s) => !s.isWon && !(s as { isLost?: boolean }).isLost)!;
    await client.query(`mutation ($id: ID!, $stageId: ID!) { moveDeal(input: { id: $id, stageId: $stageId }) { deal { status } } }`, { id: d.id, stageId: open.id });
    await kit.settled();
    await client.query(UNLINK, { dealId: d.id, competitorId: kiln });
    expect((await client.query(COMPETITORS_OF, { id: d.id })).deal.competitors).toEqual([]);

    // Permissions and tenancy.
    await client.query(LINK, { dealId: d.id, competitorId: kiln });
    const reader = await kit.issueKey(workspaceId, 'READ_ONLY');
    expect(await reader.errorCode(UNLINK, { dealId: d.id, competitorId: kiln })).toBe('FORBIDDEN');
    expect(await admin.errorCode(UNLINK, { dealId: d.id, competitorId: kiln })).toBe('NOT_FOUND');
    expect((await client.query(COMPETITORS_OF, { id: d.id })).deal.competitors).toEqual([{ outcome: 'OPEN', competitor: { name: 'Kiln' } }]);
  });

  it('links a competitor mentioned in an activity logged on a deal to that deal, once, without touching an existing outcome', async () => {
    const { client, workspaceId } = await kit.createWorkspace('Auto-linking Roasters');
    await competitor({ name: 'Percolata', aliases: ['Perco'] }, client);
    await competitor({ name: 'Steamy' }, client);
    const c = await customer('Lee Link', client);
    const open = await deal(c, '100.00', client);
    const logOn = async (dealId: string, subject: string) => {
      await client.query(LOG_ON_DEAL, { customerId: c, dealId, subject });
      await kit.settled();
    };
    await logOn(open.id, 'They compare us with Perco and steamy');
    const linked = [
      { outcome: 'OPEN', competitor: { name: 'Percolata' } },
      { outcome: 'OPEN', competitor: { name: 'Steamy' } },
    ];
    const competitorsOf = async (id: string) =>
      ((await client.query(COMPETITORS_OF, { id })).deal.competitors as { competitor: { name: string } }[]).sort((x, y) => x.competitor.name.localeCompare(y.competitor.name));
    expect(await competitorsOf(open.id)).toEqual(linked);
    // Mentioned again, and the event delivered again: still one link each.
    await logOn(open.id, 'Percolata again');
    const event = await kit.lastEvent('activity.logged', workspaceId);
    kit.gateway.plugins!.dispatch([event, event]);
    await kit.settled();
    expect(await competitorsOf(open.id)).toEqual(linked);

    // A deal already lost to Steamy keeps that outcome; a won deal's new link is a win against the competitor.
    const lost = await deal(c, '200.00', client);
    await client.query(LOST, { dealId: lost.id, competitorId: (await client.query(`{ competitors(first: 5) { edges { node { id name } } } }`)).competitors.edges.find((e: { node: { name: string } }) => e.node.name === 'Steamy').node.id, reason: 'Price' });
    await logOn(lost.id, 'Steamy was cheaper');
    expect(await competitorsOf(lost.id)).toEqual([{ outcome: 'LOST_TO_COMPETITOR', competitor: { name: 'Steamy' } }]);
    const won = await deal(c, '300.00', client);
    await win(won, client);
    await logOn(won.id, 'Perco was in the race');
    expect(await competitorsOf(won.id)).toEqual([{ outcome: 'WON', competitor: { name: 'Percolata' } }]);

    // An activity without a deal links nothing; the setting turns the linking off.
    await log(c, 'Steamy called them', undefined, client);
    expect(await kit.database.prisma.competitorDeal.count({ where: { workspaceId } })).toBe(4);
    await client.query(SETTINGS, { s: { linkMentionedCompetitorsToDeals: false } });
    const quiet = await deal(c, '400.00', client);
    await logOn(quiet.id, 'Steamy and Perco');
    expect(await competitorsOf(quiet.id)).toEqual([]);
    expect(await kit.database.prisma.competitorMention.count({ where: { workspaceId } })).toBe(8);
  });

  it('the read engine answers the library in one statement, and not where the plugin is switched off', async () => {
    const other = await kit.createWorkspace('Switch workspace');
    const id = await competitor({ name: 'Switchly' }, other.client);
    await competitor({ name: 'Always On' });
    const LIST = `{ competitors(first: 5) { totalCount edges { node { name } } } }`;
    const statements = await kit.sql.during(() => other.client.query(LIST));
    expect(statements).toHaveLength(1);
    // One root list: the engine's row form (one row per edge, the plugins switched off read with it).
    expect(statements[0]).toMatch(/^SELECT h\."switchedOff", h\.head, r\.\* FROM /);

    const SWITCH = `mutation ($enabled: Boolean!) { setPluginEnabled(input: { pluginId: "competitor-feedback", enabled: $enabled }) { plugin { enabled } } }`;
    await other.client.query(SWITCH, { enabled: false });
    const refused = await other.client.request(LIST);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', reason: 'PLUGIN_DISABLED', plugin: 'competitor-feedback' });
    expect((await other.client.request(`query ($id: ID!) { competitor(id: $id) { name } }`, { id })).errors?.[0]?.extensions?.reason).toBe('PLUGIN_DISABLED');
    // Core lists stay on the engine there; the plugin stays on in every other workspace.
    expect((await other.client.query(`{ customers(first: 1) { totalCount } }`)).customers.totalCount).toBe(0);
    expect((await admin.query(LIST)).competitors.totalCount).toBeGreaterThan(0);

    await other.client.query(SWITCH, { enabled: true });
    expect((await other.client.query(LIST)).competitors).toEqual({ totalCount: 1, edges: [{ node: { name: 'Switchly' } }] });
  });
});
