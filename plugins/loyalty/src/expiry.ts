// The expiry job: unspent points older than `pointsExpireAfterDays` leave the balance as EXPIRE lines, and every
// account's tier is recalculated (qualifying points age out of the 12-month window too).
import type { ScopedTransaction } from '@crm/plugin-sdk';
import { type LedgerScope, recalculateTier } from './ledger.js';
import { toPoints } from './points.js';

export interface ExpiryResult {
  accounts: number;
  pointsExpired: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function expirePoints(scope: LedgerScope, asOf: Date): Promise<ExpiryResult> {
  const { tx, settings } = scope;
  const result: ExpiryResult = { accounts: 0, pointsExpired: 0 };
  if (settings.pointsExpireAfterDays !== null) {
    const cutoff = new Date(asOf.getTime() - settings.pointsExpireAfterDays * DAY_MS);
    // One aggregate finds who has something to expire; each such account is then settled in this transaction.
    const due = await tx.loyaltyTransaction.groupBy({
      by: ['accountId'],
      where: { remaining: { gt: 0 }, occurredAt: { lte: cutoff } },
      _sum: { remaining: true },
    });
    for (const row of due) {
      const points = toPoints(row._sum.remaining);
      if (points <= 0) continue;
      await expireAccount(tx, scope, row.accountId, points, cutoff);
      result.accounts++;
      result.pointsExpired += points;
    }
  }
  const accounts = await tx.loyaltyAccount.findMany({ select: { id: true } });
  for (const account of accounts) await recalculateTier(scope, account.id, asOf);
  return result;
}

async function expireAccount(tx: ScopedTransaction, scope: LedgerScope, accountId: string, points: number, cutoff: Date) {
  await tx.loyaltyTransaction.updateMany({ where: { accountId, remaining: { gt: 0 }, occurredAt: { lte: cutoff } }, data: { remaining: 0 } });
  const account = await tx.loyaltyAccount.update({ where: { id: accountId }, data: { points: { decrement: points } } });
  await tx.loyaltyTransaction.create({
    data: { workspaceId: scope.workspaceId, accountId, kind: 'EXPIRE', points: -points, reason: `Unspent points earned before ${cutoff.toISOString().slice(0, 10)}` },
  });
  scope.emit('loyalty.points_expired', { type: 'LoyaltyAccount', id: accountId }, { customerId: account.customerId, points, balance: toPoints(account.points) });
}
