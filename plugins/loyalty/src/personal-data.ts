// The loyalty program's part in a person's data (docs/data.md): merging duplicates combines their ledgers (no point
// is lost: lines move to the kept account and the balances add up), exports list the account with its ledger,
// and erasure deletes the account, its ledger and the person's referrals.
import type { PersonalDataHandlers } from '@crm/plugin-sdk';
import { recalculateTier } from './ledger.js';
import type { LoyaltySettings } from './settings.js';

export const loyaltyPersonalData: PersonalDataHandlers<LoyaltySettings> = {
  async merge({ keepId, mergedIds }, { tx, emit, session, settings }) {
    const workspaceId = session.workspaceId;
    const moved = { LoyaltyAccount: 0, LoyaltyTransaction: 0, LoyaltyRedemption: 0, LoyaltyReferral: 0 };
    let keep = await tx.loyaltyAccount.findFirst({ where: { customerId: keepId } });
    for (const account of await tx.loyaltyAccount.findMany({ where: { customerId: { in: [...mergedIds] } } })) {
      if (!keep) {
        // The kept customer had no account: the merged one's becomes theirs, whole.
        keep = await tx.loyaltyAccount.update({ where: { id: account.id }, data: { customerId: keepId } });
        moved.LoyaltyAccount += 1;
        continue;
      }
      // Source keys are unique per account (exactly-once earning); a line whose key the kept account already has is
      // kept under a key that names where it came from.
      const keptKeys = (await tx.loyaltyTransaction.findMany({ where: { accountId: keep.id, sourceKey: { not: null } }, select: { sourceKey: true } })).map((t) => t.sourceKey!);
      const clashing = await tx.loyaltyTransaction.findMany({ where: { accountId: account.id, sourceKey: { in: keptKeys } }, select: { id: true, sourceKey: true } });
      for (const line of clashing) {
        await tx.loyaltyTransaction.update({ where: { id: line.id }, data: { sourceKey: `merged:${account.id}:${line.sourceKey}` } });
      }
      moved.LoyaltyTransaction += (await tx.loyaltyTransaction.updateMany({ where: { accountId: account.id }, data: { accountId: keep.id } })).count;
      moved.LoyaltyRedemption += (await tx.loyaltyRedemption.updateMany({ where: { accountId: account.id }, data: { accountId: keep.id } })).count;
      keep = await tx.loyaltyAccount.update({
        where: { id: keep.id },
        data: { points: { increment: account.points }, lifetimePoints: { increment: account.lifetimePoints } },
      });
      await tx.loyaltyAccount.delete({ where: { id: account.id } });
    }
    if (keep) await recalculateTier({ tx, emit, workspaceId, settings }, keep.id);
    // Referrals: who referred whom follows the person; a second "referred by" of the survivor is dropped.
    moved.LoyaltyReferral += (await tx.loyaltyReferral.updateMany({ where: { referrerId: { in: [...mergedIds] } }, data: { referrerId: keepId } })).count;
    const alreadyReferred = (await tx.loyaltyReferral.count({ where: { referredId: keepId } })) > 0;
    if (alreadyReferred) await tx.loyaltyReferral.deleteMany({ where: { referredId: { in: [...mergedIds] } } });
    else {
      const first = await tx.loyaltyReferral.findFirst({ where: { referredId: { in: [...mergedIds] } }, orderBy: { createdAt: 'asc' } });
      if (first) {
        await tx.loyaltyReferral.deleteMany({ where: { referredId: { in: [...mergedIds] }, id: { not: first.id } } });
        await tx.loyaltyReferral.update({ where: { id: first.id }, data: { referredId: keepId } });
        moved.LoyaltyReferral += 1;
      }
    }
    return moved;
  },

  async export(customerId, { tx }) {
    const account = await tx.loyaltyAccount.findFirst({ where: { customerId }, include: { transactions: { orderBy: { occurredAt: 'asc' } }, redemptions: true } });
    const referrals = await tx.loyaltyReferral.findMany({ where: { OR: [{ referrerId: customerId }, { referredId: customerId }] } });
    return { account, referrals };
  },

  async erase(customerId, { tx }) {
    // Ledger lines and redemptions go with the account (ON DELETE CASCADE).
    await tx.loyaltyAccount.deleteMany({ where: { customerId } });
    await tx.loyaltyReferral.deleteMany({ where: { OR: [{ referrerId: customerId }, { referredId: customerId }] } });
  },
};
