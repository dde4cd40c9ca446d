// The cross-sell types and `Customer.crossSellSuggestions(first)`, resolved through a per-request loader: one ranking
// statement per page of customers (it reads the workspace's settings itself).
import { type Builder, type PluginToolkit } from '@crm/plugin-sdk';
import type { CrossSellSettings } from '../settings.js';
import { type Suggestion, suggestionsFor } from '../suggestions.js';

export type CrossSellPermission = 'read' | 'offer' | 'manage';
export type CrossSellToolkit = PluginToolkit<CrossSellSettings, CrossSellPermission>;

export function registerCrossSellTypes(builder: Builder, plugin: CrossSellToolkit) {
  const ResponseKind = builder.enumType('CrossSellResponseKind', { values: ['ACCEPTED', 'DISMISSED'] as const });

  const CrossSellSuggestion = builder.objectRef<Suggestion>('CrossSellSuggestion').implement({
    description: 'A product to suggest to a customer, with the rule (or popularity) behind it.',
    fields: (t) => ({
      product: t.prismaField({ type: 'Product', resolve: (_query, s) => s.product }),
      score: t.exposeFloat('score', { description: 'Ranking score: the rule\'s confidence, or the product\'s support for popularity.' }),
      confidence: t.exposeFloat('confidence', { nullable: true, description: 'P(bought B | bought A); null for popularity.' }),
      lift: t.exposeFloat('lift', { nullable: true, description: 'confidence / support(B); > 1: A makes B likelier. Null for popularity.' }),
      reason: t.exposeString('reason'),
    }),
  });

  // Keyed by customer and `first` (the same for every customer of a page).
  type Key = `${string}|${number}`;
  const suggestionsOf = plugin.loader<Key, Suggestion[]>(async (keys, context) => {
    const sql = plugin.sql(context, 'read');
    const found = new Map<Key, Suggestion[]>();
    const byFirst = new Map<number, string[]>();
    for (const key of keys) {
      const [customerId, first] = key.split('|') as [string, string];
      byFirst.set(Number(first), [...(byFirst.get(Number(first)) ?? []), customerId]);
    }
    for (const [first, customerIds] of byFirst) {
      const ranked = await suggestionsFor(sql, customerIds, first, null);
      for (const [customerId, list] of ranked) found.set(`${customerId}|${first}`, list);
    }
    return found;
  });
  builder.prismaObjectField('Customer', 'crossSellSuggestions', (t) =>
    t.field({
      type: [CrossSellSuggestion],
      description:
        'Products to offer this customer, best first: never one they bought, nor one they dismissed recently; empty when they ' +
        'unsubscribed from campaigns or reached the offer cap of the period.',
      args: { first: t.arg.int({ defaultValue: 5 }) },
      resolve: async (customer, { first }, context) => (await suggestionsOf.load(context, `${customer.id}|${Math.max(0, Math.min(first ?? 5, 50))}`)) ?? [],
    }),
  );

  return { ResponseKind };
}

export type CrossSellTypes = ReturnType<typeof registerCrossSellTypes>;
