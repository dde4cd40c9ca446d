// The loyalty plugin through a real gateway (the SDK's test kit): earning on order.recorded exactly once, the
// ledger and its balance, tiers and their events, rewards and redemption, adjustments, expiry, referrals, figures.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loyalty } from '../src/index.js';

const CREATE_CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const RECORD_ORDER = `mutation ($customerId: ID!, $price: Decimal!, $at: DateTime) {
  recordOrder(input: { customerId: $customerId, orderedAt: $at, lines: [{ sku: "TEA", quantity: 1, unitPrice: $price }] }) { order { id } } }`;
const LOYALTY = `query ($id: ID!) { customer(id: $id) { loyalty {
  points lifetimePoints tier { name threshold } transactions(first: 10) { totalCount edges { node { kind points reason } } } } } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "loyalty", settings: $settings }) { plugin { settings } } }`;
const ADJUST = `mutation ($id: ID!, $points: Int!) { adjustPoints(input: { customerId: $id, points: $points, reason: "Goodwill" }) { account { points } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [loyalty] });
  admin = kit.workspace.client;
});
afterAll(async () => {
  await kit?.close();
});

async function newCustomer(name: string, client = admin): Promise<string> {
  return (await client.query(CREATE_CUSTOMER, { name })).createCustomer.customer.id as string;
}
async function order(customerId: string, price: string, at?: string) {
  await admin.query(RECORD_ORDER, { customerId, price, at });
  await kit.settled();
}
async function account(customerId: string) {
  return (await admin.query(LOYALTY, { id: customerId })).customer.loyalty;
}
/** The invariant: the balance equals the ledger's sum, for every account. */
async function expectBalancesEqualLedger() {
  const accounts = await kit.database.prisma.loyaltyAccount.findMany({ include: { transactions: { select: { points: true, remaining: true } } } });
  for (const a of accounts) {
    expect(a.points).toBe(a.transactions.reduce((sum, t) => sum + t.points, 0n));
    expect(a.points).toBe(a.transactions.reduce((sum, t) => sum + t.remaining, 0n));
    expect(a.points).toBeGreaterThanOrEqual(0);
  }
}

describe('loyalty', () => {
  it('has per-workspace settings with defaults, validated on update', async () => {
    const data = await admin.query(`{ plugins { id settings } }`);
    expect(data.plugins[0]).toEqual({
      id: 'loyalty',
      settings: {
        earnRate: 1,
        pointsExpireAfterDays: 365,
        tiers: [
          { name: 'Bronze', threshold: 0 },
          { name: 'Silver', threshold: 500 },
          { name: 'Gold', threshold: 2000 },
        ],
        referralBonus: 500,
      },
    });
    const bad = await admin.request(SETTINGS, { settings: { tiers: [{ name: 'Silver', threshold: 10 }] } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'settings.tiers' });
  });

  it('earns points on order.recorded (1 per currency unit), exactly once even when the event is delivered twice', async () => {
    const customerId = await newCustomer('Earl Earner');
    expect(await account(customerId)).toBeNull();
    await order(customerId, '123.45');
    expect(await account(customerId)).toEqual({
      points: 123,
      lifetimePoints: 123,
      tier: { name: 'Bronze', threshold: 0 },
      transactions: { totalCount: 1, edges: [{ node: { kind: 'EARN', points: 123, reason: 'Purchase' } }] },
    });
    const event = await kit.lastEvent('order.recorded');
    kit.gateway.plugins!.dispatch([event, event]);
    await kit.settled();
    expect((await account(customerId)).points).toBe(123);
    await expectBalancesEqualLedger();
  });

  it('recalculates tiers on rolling 12-month qualifying points and publishes loyalty.tier_changed', async () => {
    const customerId = await newCustomer('Tina Tier');
    const sub = kit.subscribe<{ events: { type: string; payload: { from: string | null; to: string } } }>(
      `subscription { events(types: ["loyalty.tier_changed"]) { type payload } }`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await order(customerId, '600.00');
    expect((await account(customerId)).tier.name).toBe('Silver');
    // An order from 13 months ago does not qualify for tiers.
    await order(customerId, '5000.00', new Date(Date.now() - 400 * 86_400_000).toISOString());
    expect((await account(customerId)).tier.name).toBe('Silver');
    await order(customerId, '1500.00');
    expect((await account(customerId)).tier.name).toBe('Gold');
    const events = await sub.take(2);
    expect(events.map((e) => e.events.payload)).toMatchObject([
      { from: 'Bronze', to: 'Silver' },
      { from: 'Silver', to: 'Gold' },
    ]);
    sub.dispose();
  });

  it('creates rewards and redeems them: payload with the new balance; CONFLICT when the balance is too small', async () => {
    const customerId = await newCustomer('Rita Redeemer');
    await order(customerId, '250.00');
    const created = await admin.query(`mutation { createReward(input: { name: "Tote bag", costPoints: 200 }) { reward { id name costPoints } } }`);
    const rewardId = created.createReward.reward.id;
    const list = await admin.query(`{ rewards { name costPoints } }`);
    expect(list.rewards).toContainEqual({ name: 'Tote bag', costPoints: 200 });
    // The declared catalog: the filter language, ordering and aggregates, answered by the read engine in one statement.
    await admin.query(`mutation { createReward(input: { name: "Mug", costPoints: 90 }) { reward { id } } }`);
    const declared = `{ loyaltyRewards(filter: { costPoints: { lte: 200 }, active: { eq: true } }, orderBy: [{ field: COST_POINTS, direction: DESC }]) {
      totalCount aggregate { sum { costPoints } } edges { node { id name costPoints active } } } }`;
    const statements = await kit.sql.during(async () => {
      const rewards = (await admin.query(declared)).loyaltyRewards;
      expect(rewards.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Tote bag', 'Mug']);
      expect(rewards.aggregate.sum.costPoints).toBe(290);
      expect(rewards.edges[0].node.id).toBe(rewardId);
    });
    expect(statements).toHaveLength(1);
    expect((await admin.query(`query ($id: ID!) { loyaltyReward(id: $id) { name } }`, { id: rewardId })).loyaltyReward).toEqual({ name: 'Tote bag' });
    // Another workspace's catalog is its own, and where the plugin is switched off the list is refused as `rewards` is.
    const other = await kit.createWorkspace('Rewards elsewhere');
    expect((await other.client.query(`{ loyaltyRewards { totalCount } }`)).loyaltyRewards.totalCount).toBe(0);
    expect((await other.client.query(`query ($id: ID!) { loyaltyReward(id: $id) { name } }`, { id: rewardId })).loyaltyReward).toBeNull();
    await other.client.query(`mutation { setPluginEnabled(input: { pluginId: "loyalty", enabled: false }) { plugin { enabled } } }`);
    expect((await other.client.request(`{ loyaltyRewards { totalCount } }`)).errors?.[0]?.extensions?.reason).toBe('PLUGIN_DISABLED');
    expect((await admin.query(`{ loyaltyRewards { totalCount } }`)).loyaltyRewards.totalCount).toBe(2);

    const redeem = `mutation ($c: ID!, $r: ID!) { redeemReward(input: { customerId: $c, rewardId: $r }) { account { points } redemption { id points reward { name } } } }`;
    const first = await admin.query(redeem, { c: customerId, r: rewardId });
    expect(first.redeemReward).toEqual({ account: { points: 50 }, redemption: { id: expect.any(String), points: 200, reward: { name: 'Tote bag' } } });
    const second = await admin.request(redeem, { c: customerId, r: rewardId });
    expect(second.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await account(customerId)).points).toBe(50);

    // A refund returns the points once (a REFUND line); then the reward can be redeemed again.
    const refund = `mutation ($id: ID!) { refundRedemption(input: { redemptionId: $id }) { account { points } redemption { refundedAt } } }`;
    const refunded = await admin.query(refund, { id: first.redeemReward.redemption.id });
    expect(refunded.refundRedemption).toEqual({ account: { points: 250 }, redemption: { refundedAt: expect.any(String) } });
    expect(await admin.errorCode(refund, { id: first.redeemReward.redemption.id })).toBe('CONFLICT');
    expect((await admin.query(redeem, { c: customerId, r: rewardId })).redeemReward.account.points).toBe(50);
    expect((await account(customerId)).transactions.edges.map((e: { node: { kind: string } }) => e.node.kind)).toEqual(['REDEEM', 'REFUND', 'REDEEM', 'EARN']);
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    expect(await member.errorCode(`mutation { createReward(input: { name: "Nope", costPoints: 1 }) { reward { id } } }`)).toBe('FORBIDDEN');
    expect(await member.errorCode(ADJUST, { id: customerId, points: 10 })).toBe('FORBIDDEN');
    await expectBalancesEqualLedger();
  });

  it('keeps balances past 32 bits: two adjustments of 2,147,483,647, an order of 999,999,999,999.99 (64-bit columns)', async () => {
    const customerId = await newCustomer('Wendy Whale');
    const max = 2_147_483_647;
    expect((await admin.query(ADJUST, { id: customerId, points: max })).adjustPoints.account.points).toBe(max);
    expect((await admin.query(ADJUST, { id: customerId, points: max })).adjustPoints.account.points).toBe(2 * max);
    // An adjustment is a GraphQL Int: past 32 bits it is refused as bad input, never an internal error.
    expect(await admin.errorCode(ADJUST, { id: customerId, points: max + 1 })).toBe('BAD_USER_INPUT');
    const { earnRate } = (await admin.query(`{ plugins { id settings } }`)).plugins.find((p: { id: string }) => p.id === 'loyalty').settings;
    await order(customerId, '999999999999.99');
    const after = await account(customerId);
    const earned = Math.floor(999_999_999_999.99 * earnRate + 1e-9);
    expect(after.points).toBe(2 * max + earned);
    expect(after.lifetimePoints).toBe(earned);
    expect(after.transactions.edges.map((e: { node: { kind: string; points: number } }) => [e.node.kind, e.node.points])).toContainEqual(['EARN', earned]);
    const figures = (await admin.query(`{ loyaltyProgram { pointsOutstanding pointsIssued } }`)).loyaltyProgram;
    expect(figures.pointsOutstanding).toBeGreaterThanOrEqual(2 * max + earned);
    await expectBalancesEqualLedger();
  });

  it('adjusts points by hand, never below zero', async () => {
    const customerId = await newCustomer('Adam Adjusted');
    expect((await admin.query(ADJUST, { id: customerId, points: 40 })).adjustPoints.account.points).toBe(40);
    expect(await admin.errorCode(ADJUST, { id: customerId, points: -41 })).toBe('CONFLICT');
    expect((await admin.query(ADJUST, { id: customerId, points: -15 })).adjustPoints.account.points).toBe(25);
    const zero = await admin.request(ADJUST, { id: customerId, points: 0 });
    expect(zero.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'points' });
    await expectBalancesEqualLedger();
  });

  it('expires unspent points older than the program allows (the expiry job), spent points first', async () => {
    const customerId = await newCustomer('Ezra Expiry');
    await order(customerId, '300.00', new Date(Date.now() - 400 * 86_400_000).toISOString()); // 300 old points
    await order(customerId, '100.00'); // 100 fresh points
    await admin.query(ADJUST, { id: customerId, points: -120 }); // spends the oldest first: 180 old points left
    // The job, as the gateway runs it on its interval (every workspace); the mutation runs the same for one.
    expect(await kit.gateway.plugins!.runJob('loyalty', 'expirePoints')).toBeGreaterThanOrEqual(1);
    await kit.settled();
    const run = await admin.query(`mutation { expireLoyaltyPoints { accounts pointsExpired } }`);
    expect(run.expireLoyaltyPoints).toEqual({ accounts: 0, pointsExpired: 0 }); // nothing left to expire
    const after = await account(customerId);
    expect(after.points).toBe(100);
    expect(after.transactions.edges[0].node).toMatchObject({ kind: 'EXPIRE', points: -180 });
    await expectBalancesEqualLedger();
  });

  it("pays the referral bonus on the referred customer's first order only", async () => {
    const referrer = await newCustomer('Ray Referrer');
    const referred = await newCustomer('Fern Friend');
    await admin.query(`mutation ($a: ID!, $b: ID!) { recordReferral(input: { referrerId: $a, referredId: $b }) { referral { bonusAwardedAt } } }`, {
      a: referrer,
      b: referred,
    });
    expect(await admin.errorCode(`mutation ($a: ID!) { recordReferral(input: { referrerId: $a, referredId: $a }) { referral { id } } }`, { a: referrer })).toBe(
      'BAD_USER_INPUT',
    );
    await order(referred, '20.00');
    await order(referred, '20.00');
    expect((await account(referrer)).points).toBe(500);
    expect((await account(referred)).points).toBe(40);
  });

  it('answers program figures: members per tier, points outstanding, redemption rate', async () => {
    const data = await admin.query(`{ loyaltyProgram { members membersByTier { tier members } pointsOutstanding pointsIssued pointsRedeemed redemptionRate } }`);
    const rows = await kit.database.prisma.loyaltyAccount.findMany({ where: { workspaceId: kit.workspace.workspaceId } });
    const figures = data.loyaltyProgram;
    expect(figures.members).toBe(rows.length);
    expect(figures.pointsOutstanding).toBe(Number(rows.reduce((s, r) => s + r.points, 0n)));
    expect(figures.membersByTier.map((t: { tier: string }) => t.tier)).toEqual(['Bronze', 'Silver', 'Gold']);
    expect(figures.membersByTier.reduce((s: number, t: { members: number }) => s + t.members, 0)).toBe(rows.length);
    expect(figures.pointsRedeemed).toBe(200);
    expect(figures.redemptionRate).toBeCloseTo(200 / figures.pointsIssued, 4);
  });

  it('resolves Customer.loyalty, its tier and its latest transactions with one query per page of customers', async () => {
    const other = await kit.createWorkspace('Page workspace');
    for (let i = 0; i < 12; i++) {
      const id = await newCustomer(`Page ${i}`, other.client);
      await other.client.query(ADJUST, { id, points: 10 + i });
    }
    const page = (first: number) =>
      other.client.query(
        `query ($first: Int!) { customers(first: $first) { edges { node { name loyalty { points tier { name } transactions(first: 2) { edges { node { points } } } } } } } }`,
        { first },
      );
    const small = await kit.sql.during(() => page(3));
    let edges: { node: { loyalty: { transactions: { edges: { node: { points: number } }[] } } } }[] = [];
    const large = await kit.sql.during(async () => {
      edges = (await page(12)).customers.edges;
    });
    expect(large.length).toBe(small.length);
    expect(large.filter((q) => q.includes('"LoyaltyAccount"'))).toHaveLength(1);
    // The customers come from the read engine's one statement; only `loyalty` (a plugin field) runs its resolver.
    const engine = large.filter((q) => q.startsWith('SELECT json_build_object(') && q.includes('AS data'));
    expect(engine).toHaveLength(1);
    expect(large.filter((q) => !engine.includes(q) && /FROM "public"\."Customer"/.test(q)), large.join('\n')).toEqual([]);
    expect(edges.every((e) => e.node.loyalty.transactions.edges.length === 1)).toBe(true);
    // Tenancy: the other workspace's figures know nothing of workspace A.
    expect((await other.client.query(`{ loyaltyProgram { members pointsRedeemed } }`)).loyaltyProgram).toEqual({ members: 12, pointsRedeemed: 0 });
  });

  it('declares accounts and ledger lines: 64-bit filters, orders, aggregates and group-by, the same through the read engine and the resolvers', async () => {
    const big = await newCustomer('Bertha Bigbalance');
    await admin.query(ADJUST, { id: big, points: 2_147_483_647 });
    await admin.query(ADJUST, { id: big, points: 2_147_483_647 });
    const READ = /* GraphQL */ `
      query Ledger($over: Float!) {
        loyaltyAccounts(first: 50, orderBy: [{ field: POINTS, direction: DESC }]) {
          totalCount
          aggregate { count sum { points lifetimePoints } max { points } min { lifetimePoints } }
          pageInfo { hasNextPage endCursor }
          edges { cursor node { id points lifetimePoints tierSince transactions(first: 3) { totalCount edges { node { id kind points reason occurredAt } } } } }
        }
        over: loyaltyAccounts(filter: { points: { gt: $over } }) { totalCount edges { node { points } } }
        byKind: loyaltyTransactionsGroupBy(by: [{ field: KIND }]) { key { kind } aggregate { count sum { points } } }
        credits: loyaltyTransactions(first: 20, filter: { kind: { in: [EARN, ADJUST] }, points: { gte: 1 } }, orderBy: [{ field: POINTS, direction: DESC }]) {
          totalCount edges { node { kind points } }
        }
      }
    `;
    const variables = { over: 2 ** 32 - 3 }; // one less than the balance of two 32-bit maxima
    const statements = await kit.sql.during(() => admin.query(READ, variables));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^SELECT json_build_object\(/);
    const engine = await admin.request(READ, variables);
    const resolvers = await (await kit.resolversClient()).request(READ, variables);
    expect(engine.errors).toBeUndefined();
    expect(JSON.stringify(engine)).toBe(JSON.stringify(resolvers));
    const data = engine.data as { over: { totalCount: number; edges: { node: { points: number } }[] }; loyaltyAccounts: { aggregate: { max: { points: number } } } };
    expect(data.over.edges.map((e) => e.node.points)).toContain(2 * 2_147_483_647);
    expect(data.loyaltyAccounts.aggregate.max.points).toBeGreaterThanOrEqual(2 * 2_147_483_647);
    // A whole number is asked for, and the plugin's computed fields (tier, customerId) still resolve beside the engine.
    expect(await admin.errorCode(`{ loyaltyAccounts(filter: { points: { gt: 1.5 } }) { totalCount } }`)).toBe('BAD_USER_INPUT');
    const withTier = `{ loyaltyAccounts(first: 2) { edges { node { customerId tier { name } points } } } }`;
    expect(JSON.stringify(await admin.request(withTier))).toBe(JSON.stringify(await (await kit.resolversClient()).request(withTier)));
    // Tenancy: another workspace sees none of these accounts or lines, in lists, aggregates or groups.
    const other = await kit.createWorkspace('Ledger workspace');
    const theirs = (await other.client.query(
      `{ loyaltyAccounts { totalCount aggregate { sum { points } } } loyaltyTransactionsGroupBy(by: [{ field: KIND }]) { aggregate { count } } }`,
    )) as { loyaltyAccounts: { totalCount: number; aggregate: { sum: { points: number | null } } }; loyaltyTransactionsGroupBy: unknown[] };
    expect(theirs.loyaltyAccounts.totalCount).toBe(0);
    expect(theirs.loyaltyAccounts.aggregate.sum.points ?? 0).toBe(0);
    expect(theirs.loyaltyTransactionsGroupBy).toEqual([]);
  });
});
