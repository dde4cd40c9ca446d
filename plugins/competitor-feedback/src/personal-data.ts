// Competitor intelligence's part in a person's data (docs/data.md): feedback, mentions and defections follow the
// person on a merge (one defection per customer: the survivor's own, else the earliest), are exported, and erased.
// Feedback in the trash (with its competitor) is the person's data too: `includingTrashed` reaches it.
import { includingTrashed, type PersonalDataHandlers } from '@crm/plugin-sdk';
import type { CompetitorSettings } from './settings.js';

export const competitorPersonalData: PersonalDataHandlers<CompetitorSettings> = {
  async merge({ keepId, mergedIds }, { tx }) {
    const from = { customerId: { in: [...mergedIds] } };
    const moved = {
      CompetitorFeedback: (await tx.competitorFeedback.updateMany({ where: { ...from, ...includingTrashed }, data: { customerId: keepId } })).count,
      CompetitorMention: (await tx.competitorMention.updateMany({ where: from, data: { customerId: keepId } })).count,
      CompetitorDefection: 0,
    };
    if ((await tx.competitorDefection.count({ where: { customerId: keepId } })) === 0) {
      const first = await tx.competitorDefection.findFirst({ where: from, orderBy: { occurredAt: 'asc' } });
      if (first) {
        await tx.competitorDefection.deleteMany({ where: { ...from, id: { not: first.id } } });
        await tx.competitorDefection.update({ where: { id: first.id }, data: { customerId: keepId } });
        moved.CompetitorDefection = 1;
      }
    }
    return moved;
  },
  async export(customerId, { tx }) {
    return {
      feedback: await tx.competitorFeedback.findMany({ where: { customerId, ...includingTrashed }, include: { competitor: { select: { name: true } } } }),
      mentions: await tx.competitorMention.findMany({ where: { customerId } }),
      defection: await tx.competitorDefection.findFirst({ where: { customerId } }),
    };
  },
  async erase(customerId, { tx }) {
    await tx.competitorFeedback.deleteMany({ where: { customerId, ...includingTrashed } });
    await tx.competitorMention.deleteMany({ where: { customerId } });
    await tx.competitorDefection.deleteMany({ where: { customerId } });
  },
};
