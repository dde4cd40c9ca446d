// Cross-sell commands: each one transaction through `plugin.run` (permission checked first, events after commit).
import { type Builder, declaredRef, type Models, rowId } from '@crm/plugin-sdk';
import { existingCustomer, existingSku, makeOffer } from '../offers.js';
import { rebuildRules } from '../rules.js';
import type { CrossSellToolkit, CrossSellTypes } from './types.js';

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
        plugin.run(context, 'offer', async (scope) => ({ offer: await makeOffer(scope, rowId(input.customerId, 'Customer', 'customerId'), input.sku) })),
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
          const customerId = await existingCustomer(scope.tx, rowId(input.customerId, 'Customer', 'customerId'));
          const sku = await existingSku(scope.tx, input.sku);
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
