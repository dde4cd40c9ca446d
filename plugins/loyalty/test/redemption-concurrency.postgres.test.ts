// Redemptions racing on PostgreSQL (real concurrent transactions): 10 at once against a balance that allows 3.
import { type PluginTestGateway, startPluginTestGateway } from '@crm/plugin-testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loyalty } from '../src/index.js';

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [loyalty], database: 'postgres' });
});
afterAll(async () => {
  await kit?.close();
});

it('10 concurrent redemptions against a balance for 3: exactly 3 succeed, the balance never goes negative', async () => {
  const admin = kit.workspace.client;
  const customer = await admin.query(`mutation { createCustomer(input: { name: "Cora Concurrent" }) { customer { id } } }`);
  const customerId = customer.createCustomer.customer.id;
  await admin.query(`mutation ($id: ID!) { adjustPoints(input: { customerId: $id, points: 300, reason: "Opening" }) { account { points } } }`, { id: customerId });
  const reward = await admin.query(`mutation { createReward(input: { name: "Cinema ticket", costPoints: 100 }) { reward { id } } }`);
  const rewardId = reward.createReward.reward.id;

  const attempts = await Promise.all(
    Array.from({ length: 10 }, () =>
      admin.request(`mutation ($c: ID!, $r: ID!) { redeemReward(input: { customerId: $c, rewardId: $r }) { account { points } } }`, { c: customerId, r: rewardId }),
    ),
  );
  const succeeded = attempts.filter((a) => !a.errors);
  const codes = attempts.filter((a) => a.errors).map((a) => a.errors![0]!.extensions?.code);
  expect(succeeded).toHaveLength(3);
  expect(codes).toEqual(Array(7).fill('CONFLICT'));
  expect(succeeded.map((a) => a.data!.redeemReward.account.points).sort()).toEqual([0, 100, 200]);

  const account = await kit.database.prisma.loyaltyAccount.findFirstOrThrow({ include: { transactions: true, redemptions: true } });
  expect(account.points).toBe(0n);
  expect(account.transactions.reduce((sum, t) => sum + t.points, 0n)).toBe(0n);
  expect(account.redemptions).toHaveLength(3);
});
