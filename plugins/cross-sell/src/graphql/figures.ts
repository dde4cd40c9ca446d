// `crossSellFigures`: acceptance rate per product pair, and revenue from accepted suggestions.
import { type Builder, Prisma } from '@crm/plugin-sdk';
import type { CrossSellToolkit } from './types.js';

interface PairFigure {
  antecedentSku: string | null;
  sku: string;
  offered: number;
  accepted: number;
  dismissed: number;
  acceptanceRate: number | null;
}

const DAY_MS = 86_400_000;

export function registerCrossSellFigures(builder: Builder, plugin: CrossSellToolkit) {
  const PairFigureRef = builder.objectRef<PairFigure>('CrossSellPairFigure').implement({
    description: 'Offers of `sku` suggested by `antecedentSku` (null: popularity) and their answers.',
    fields: (t) => ({
      antecedentSku: t.exposeString('antecedentSku', { nullable: true }),
      sku: t.exposeString('sku'),
      offered: t.exposeInt('offered'),
      accepted: t.exposeInt('accepted'),
      dismissed: t.exposeInt('dismissed'),
      acceptanceRate: t.exposeFloat('acceptanceRate', { nullable: true, description: 'accepted / offered; null without offers.' }),
    }),
  });
  const Figures = builder.objectRef<{ pairs: PairFigure[]; acceptedRevenue: string; accepted: number }>('CrossSellFigures').implement({
    fields: (t) => ({
      pairs: t.field({ type: [PairFigureRef], resolve: (f) => f.pairs }),
      accepted: t.exposeInt('accepted'),
      acceptedRevenue: t.field({
        type: 'Decimal',
        description:
          'Sum of order lines of an accepted product, ordered by that customer after the acceptance and within `revenueWindowDays`.',
        resolve: (f) => f.acceptedRevenue,
      }),
    }),
  });
  builder.queryField('crossSellFigures', (t) =>
    t.field({
      type: Figures,
      args: { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) },
      resolve: async (_root, { from, to }, context) => {
        const db = plugin.authorize(context, 'read').db;
        const settings = await plugin.settings(context);
        const window = { gte: from ?? undefined, lt: to ?? undefined };
        const offers = await db.crossSellOffer.groupBy({ by: ['antecedentSku', 'sku'], where: { offeredAt: window }, _count: { _all: true } });
        const answers = await db.crossSellResponse.groupBy({ by: ['antecedentSku', 'sku', 'response'], where: { respondedAt: window }, _count: { _all: true } });
        const pairs = new Map<string, PairFigure>();
        const pairOf = (antecedentSku: string | null, sku: string) => {
          const key = `${antecedentSku ?? ''}\u0000${sku}`;
          const found = pairs.get(key) ?? { antecedentSku, sku, offered: 0, accepted: 0, dismissed: 0, acceptanceRate: null };
          pairs.set(key, found);
          return found;
        };
        for (const o of offers) pairOf(o.antecedentSku, o.sku).offered = o._count._all;
        for (const a of answers) {
          const pair = pairOf(a.antecedentSku, a.sku);
          if (a.response === 'ACCEPTED') pair.accepted = a._count._all;
          else pair.dismissed = a._count._all;
        }
        for (const p of pairs.values()) p.acceptanceRate = p.offered ? p.accepted / p.offered : null;

        // Attribution: an order line of the accepted SKU, by the same customer, ordered after the acceptance and within
        // the window; each line counts once even when the product was accepted twice.
        const accepted = await db.crossSellResponse.findMany({ where: { respondedAt: window, response: 'ACCEPTED' }, select: { customerId: true, sku: true, respondedAt: true } });
        let revenue = new Prisma.Decimal(0);
        if (accepted.length) {
          const earliest = new Date(Math.min(...accepted.map((a) => a.respondedAt.getTime())));
          const lines = await db.orderLine.findMany({
            where: { sku: { in: [...new Set(accepted.map((a) => a.sku))] }, order: { customerId: { in: [...new Set(accepted.map((a) => a.customerId))] }, orderedAt: { gt: earliest } } },
            select: { id: true, sku: true, total: true, order: { select: { customerId: true, orderedAt: true } } },
          });
          for (const line of lines) {
            const at = line.order.orderedAt.getTime();
            const attributed = accepted.some(
              (a) => a.customerId === line.order.customerId && a.sku === line.sku && at > a.respondedAt.getTime() && at <= a.respondedAt.getTime() + settings.revenueWindowDays * DAY_MS,
            );
            if (attributed) revenue = revenue.add(line.total);
          }
        }
        const sorted = [...pairs.values()].sort((a, b) => b.offered - a.offered || a.sku.localeCompare(b.sku));
        return { pairs: sorted, accepted: accepted.length, acceptedRevenue: revenue.toFixed(2) };
      },
    }),
  );
}
