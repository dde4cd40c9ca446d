// Cross-sell commands: each one transaction through `plugin.run` (permission checked first, events after commit).
import { type Builder, conflict, declaredRef, type Models, notFound, type PluginCommandScope, rowId } from '@crm/plugin-sdk';
import { rebuildRules } from '../rules.js';
import type { CrossSellSettings } from '../settings.js';
import { blockedCustomers } from '../blocked.js';
import { suggestionsFor } from '../suggestions.js';
import type { CrossSellToolkit, CrossSellTypes } from './types.js';

type Scope = PluginCommandScope<CrossSellSettings>;

async function existingCustomer(scope: Scope, globalCustomerId: string): Promise<string> {
  const id = rowId(globalCustomerId, 'Customer', 'customerId');
  const customer = await scope.tx.customer.findUnique({ where: { id }, select: { id: true } });
  if (!customer) throw notFound('Customer', 'customerId');
  return id;
}

async function existingSku(scope: Scope, sku: string): Promise<string> {
  const product = await scope.tx.product.findFirst({ where: { sku }, select: { sku: true } });
  if (!product) throw notFound('Product', 'sku');
  return product.sku;
}

export function registerCrossSellMutations(builder: Builder, plugin: CrossSellToolkit, types: CrossSellTypes) {
  // The nodes live here, not in types.ts's return value: their inferred types name the generated client, which a
  // declaration file of this package cannot.
  // CrossSellOffer is a declared object (src/objects.ts): its type and lists come from the declaration.
  const offer = declaredRef(builder, 'CrossSellOffer');
  const OfferPayload = builder.objectRef<{ offer: Models.CrossSellOffer }>('MarkSuggestionOfferedPayload').implement({
    fields: (t) => ({ offer: t.field({ type: offer, resolve: (p) => p.offer }) }),
  });
  builder.mutationField('markSuggestionOffered', (t) =>
    t.field({
      type: OfferPayload,
      description:
        'Records that a suggestion was shown to the customer. CONFLICT when the customer unsubscribed from campaigns, reached ' +
        "the period's offer cap, or the product is not among their suggestions (bought, dismissed recently, unknown to the rules).",
      args: {
        input: t.arg({
          type: builder.inputType('MarkSuggestionOfferedInput', { fields: (f) => ({ customerId: f.id({ required: true }), sku: f.string({ required: true }) }) }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'offer', async (scope) => {
          const customerId = await existingCustomer(scope, input.customerId);
          const sku = await existingSku(scope, input.sku);
          // Offers to one customer one at a time: the cap check below then sees every offer committed before it.
          await scope.lock(`offer:${customerId}`);
          const now = new Date();
          const blocked = (await blockedCustomers(scope.tx, [customerId], scope.settings, now)).get(customerId);
          if (blocked === 'UNSUBSCRIBED') throw conflict('This customer unsubscribed from campaigns: no offers', 'customerId');
          if (blocked === 'CAP_REACHED') throw conflict(`This customer already had ${scope.settings.maxOffersPerPeriod} offers in the last ${scope.settings.offerPeriodDays} days`, 'customerId');
          const all = (await suggestionsFor(scope.sql, [customerId], 1000, scope.settings, now)).get(customerId) ?? [];
          const suggestion = all.find((s) => s.product.sku === sku);
          if (!suggestion) throw conflict('This product is not a suggestion for this customer (bought, or dismissed recently)', 'sku');
          const offer = await scope.tx.crossSellOffer.create({
            data: { workspaceId: scope.session.workspaceId, customerId, sku, antecedentSku: suggestion.antecedentSku, offeredAt: now },
          });
          scope.emit('crosssell.offered', { type: 'CrossSellOffer', id: offer.id }, { customerId, sku, antecedentSku: offer.antecedentSku });
          return { offer };
        }),
    }),
  );

  const response = builder.prismaNode('CrossSellResponse', {
    id: { field: 'id' },
    fields: (t) => ({
      sku: t.exposeString('sku'),
      antecedentSku: t.exposeString('antecedentSku', { nullable: true }),
      response: t.expose('response', { type: types.ResponseKind }),
      respondedAt: t.expose('respondedAt', { type: 'DateTime' }),
    }),
  });

  const RespondPayload = builder.objectRef<{ response: Models.CrossSellResponse }>('RespondToSuggestionPayload').implement({
    fields: (t) => ({ response: t.field({ type: response, resolve: (p) => p.response }) }),
  });
  builder.mutationField('respondToSuggestion', (t) =>
    t.field({
      type: RespondPayload,
      description: "Records the customer's answer: ACCEPTED, or DISMISSED (not suggested again for `dismissalDays`).",
      args: {
        input: t.arg({
          type: builder.inputType('RespondToSuggestionInput', {
            fields: (f) => ({ customerId: f.id({ required: true }), sku: f.string({ required: true }), response: f.field({ type: types.ResponseKind, required: true }) }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'offer', async (scope) => {
          const customerId = await existingCustomer(scope, input.customerId);
          const sku = await existingSku(scope, input.sku);
          const offer = await scope.tx.crossSellOffer.findFirst({ where: { customerId, sku }, orderBy: { offeredAt: 'desc' } });
          const response = await scope.tx.crossSellResponse.create({
            data: { workspaceId: scope.session.workspaceId, customerId, sku, antecedentSku: offer?.antecedentSku ?? null, response: input.response },
          });
          const type = input.response === 'ACCEPTED' ? 'crosssell.accepted' : 'crosssell.dismissed';
          scope.emit(type, { type: 'CrossSellResponse', id: response.id }, { customerId, sku, antecedentSku: response.antecedentSku });
          return { response };
        }),
    }),
  );

  const RebuildPayload = builder.objectRef<{ customers: number; products: number; pairs: number }>('RebuildCrossSellRulesPayload').implement({
    fields: (t) => ({ customers: t.exposeInt('customers'), products: t.exposeInt('products'), pairs: t.exposeInt('pairs') }),
  });
  builder.mutationField('rebuildCrossSellRules', (t) =>
    t.field({
      type: RebuildPayload,
      description: "Recomputes the workspace's rules from all its orders (after an import; ADMIN).",
      resolve: (_root, _args, context) => plugin.run(context, 'manage', (scope) => rebuildRules(scope.tx, scope.sql, scope.session.workspaceId)),
    }),
  );
}
