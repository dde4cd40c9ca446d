// Points for purchases and referrals, on `order.recorded`. The SDK delivers each event to each subscriber exactly
// once (a processed mark in the same transaction); the ledger's unique `sourceKey` per account guards it too.
import type { DeliveredEvent, SubscriberContext } from '@crm/plugin-sdk';
import { accountFor, post } from './ledger.js';
import { toPoints } from './points.js';
import type { LoyaltySettings } from './settings.js';

type OrderRecorded = DeliveredEvent<'order.recorded'>;
type Context = SubscriberContext<LoyaltySettings>;

/** Points for an order: `earnRate` per currency unit, rounded down. */
export function pointsForOrder(total: string, earnRate: number): number {
  return Math.floor(Number(total) * earnRate + 1e-9);
}

export async function earnPointsForOrder(event: OrderRecorded, { tx, emit, settings }: Context) {
  const points = pointsForOrder(event.payload.total, settings.earnRate);
  if (points <= 0) return;
  const scope = { tx, emit, settings, workspaceId: event.workspaceId };
  const account = await accountFor(scope, event.payload.customerId);
  const after = await post(scope, account, {
    kind: 'EARN',
    points,
    qualifying: true,
    reason: 'Purchase',
    sourceKey: `order:${event.subjectId}`,
    occurredAt: new Date(event.payload.orderedAt),
  });
  emit('loyalty.points_earned', { type: 'LoyaltyAccount', id: account.id }, {
    customerId: event.payload.customerId,
    points,
    balance: toPoints(after.points),
    source: 'order',
  });
}

/** The referrer's bonus when a referred customer's first order is recorded: referrals make advocates. */
export async function payReferralBonus(event: OrderRecorded, { tx, emit, settings }: Context) {
  const customerId = event.payload.customerId;
  const referral = await tx.loyaltyReferral.findFirst({ where: { referredId: customerId, bonusAwardedAt: null } });
  if (!referral || settings.referralBonus <= 0) return;
  if ((await tx.order.count({ where: { customerId } })) !== 1) return;
  const scope = { tx, emit, settings, workspaceId: event.workspaceId };
  const account = await accountFor(scope, referral.referrerId);
  const after = await post(scope, account, {
    kind: 'EARN',
    points: settings.referralBonus,
    qualifying: true,
    reason: 'Referral',
    sourceKey: `referral:${referral.id}`,
  });
  await tx.loyaltyReferral.update({ where: { id: referral.id }, data: { bonusAwardedAt: new Date() } });
  emit('loyalty.points_earned', { type: 'LoyaltyAccount', id: account.id }, {
    customerId: referral.referrerId,
    points: settings.referralBonus,
    balance: toPoints(after.points),
    source: 'referral',
  });
}
