// The points ledger. Every change is one ledger line plus the matching change of the account's balance, in the
// caller's transaction, so the balance always equals the ledger's sum. Debits are conditional updates
// (`points >= n`), which PostgreSQL serialises on the account row: no negative balance, no double spend.
import { conflict, type Models, type PluginCommandScope, type ScopedTransaction } from '@crm/plugin-sdk';
import './events.js';
import { toPoints } from './points.js';
import { type LoyaltySettings, tierFor } from './settings.js';

type Kind = Models.LoyaltyTransaction['kind'];
type Emit = PluginCommandScope<unknown>['emit'];

export interface LedgerScope {
  tx: ScopedTransaction;
  emit: Emit;
  workspaceId: string;
  settings: LoyaltySettings;
}

export interface Entry {
  kind: Kind;
  /** Signed: credits positive, debits negative. */
  points: number;
  qualifying?: boolean;
  reason?: string | null;
  sourceKey?: string | null;
  occurredAt?: Date;
}

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** The customer's account, opened on first use. */
export async function accountFor(scope: LedgerScope, customerId: string): Promise<Models.LoyaltyAccount> {
  return scope.tx.loyaltyAccount.upsert({
    where: { workspaceId_customerId: { workspaceId: scope.workspaceId, customerId } },
    create: { workspaceId: scope.workspaceId, customerId, tier: scope.settings.tiers[0]!.name, tierSince: new Date() },
    update: {},
  });
}

/** Writes one ledger line and moves the balance with it; a debit larger than the balance is CONFLICT. */
export async function post(scope: LedgerScope, account: Models.LoyaltyAccount, entry: Entry): Promise<Models.LoyaltyAccount> {
  const { tx } = scope;
  if (entry.points < 0) {
    const { count } = await tx.loyaltyAccount.updateMany({
      where: { id: account.id, points: { gte: -entry.points } },
      data: { points: { decrement: -entry.points } },
    });
    if (count === 0) throw conflict(`Not enough points: this needs ${-entry.points}`, 'points');
    await consumeOldestCredits(tx, account.id, -entry.points);
  } else if (entry.points > 0) {
    await tx.loyaltyAccount.update({
      where: { id: account.id },
      data: { points: { increment: entry.points }, ...(entry.kind === 'EARN' ? { lifetimePoints: { increment: entry.points } } : {}) },
    });
  }
  await tx.loyaltyTransaction.create({
    data: {
      workspaceId: scope.workspaceId,
      accountId: account.id,
      kind: entry.kind,
      points: entry.points,
      qualifying: entry.qualifying ?? false,
      remaining: entry.points > 0 ? entry.points : 0,
      reason: entry.reason ?? null,
      sourceKey: entry.sourceKey ?? null,
      ...(entry.occurredAt ? { occurredAt: entry.occurredAt } : {}),
    },
  });
  return recalculateTier(scope, account.id);
}

/** Spends credits oldest first, so that expiry only ever takes points that were never used. */
async function consumeOldestCredits(tx: ScopedTransaction, accountId: string, points: number) {
  let left = points;
  while (left > 0) {
    const credits = await tx.loyaltyTransaction.findMany({
      where: { accountId, remaining: { gt: 0 } },
      orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
      take: 50,
      select: { id: true, remaining: true },
    });
    if (!credits.length) return;
    for (const credit of credits) {
      const used = Math.min(toPoints(credit.remaining), left);
      await tx.loyaltyTransaction.update({ where: { id: credit.id }, data: { remaining: { decrement: used } } });
      left -= used;
      if (left === 0) return;
    }
  }
}

/** Qualifying points of the last 12 months (up to `asOf`). */
export async function qualifyingPoints(tx: ScopedTransaction, accountId: string, asOf = new Date()): Promise<number> {
  const { _sum } = await tx.loyaltyTransaction.aggregate({
    where: { accountId, qualifying: true, occurredAt: { gt: new Date(asOf.getTime() - YEAR_MS), lte: asOf } },
    _sum: { points: true },
  });
  return toPoints(_sum.points);
}

/** Puts the account in the tier its qualifying points reach; emits `loyalty.tier_changed` when that moves it. */
export async function recalculateTier(scope: LedgerScope, accountId: string, asOf = new Date()): Promise<Models.LoyaltyAccount> {
  const account = await scope.tx.loyaltyAccount.findUniqueOrThrow({ where: { id: accountId } });
  const tier = tierFor(scope.settings, await qualifyingPoints(scope.tx, accountId, asOf));
  if (tier.name === account.tier) return account;
  const updated = await scope.tx.loyaltyAccount.update({ where: { id: accountId }, data: { tier: tier.name, tierSince: asOf } });
  scope.emit('loyalty.tier_changed', { type: 'LoyaltyAccount', id: accountId }, { customerId: account.customerId, from: account.tier, to: tier.name });
  return updated;
}
