// Making an offer: what `markSuggestionOffered` (a key, by hand) and the `cross-sell.makeOffer` action (another plugin:
// a workflow's step) both do, in the caller's transaction. The customer and product must exist; offers to one customer
// are serialised by the plugin's lock so that the cap holds under concurrency; an unsubscribed customer, a reached cap
// or a product that is not currently a suggestion for the customer is a refusal (a `veto`: CONFLICT naming the field,
// with `extensions.reason` UNSUBSCRIBED, OFFER_CAP_REACHED or NOT_A_SUGGESTION), which a workflow's step does not
// retry: trying again at once cannot change it.
import { type ActionContext, type ActionDefinition, type Models, notFound, veto, z } from '@crm/plugin-sdk';
import { blockedCustomers } from './blocked.js';
import type { crossSellEvents } from './events.js';
import type { CrossSellSettings } from './settings.js';
import { suggestionsFor } from './suggestions.js';

type CrossSellEvent = keyof typeof crossSellEvents;

/** What making an offer needs of its transaction: a command's scope and an action's context both have it. */
export type OfferScope = Pick<ActionContext<CrossSellSettings, CrossSellEvent>, 'tx' | 'sql' | 'emit' | 'settings' | 'session' | 'lock'>;

/** The customer's row id when it is one of the workspace's customers (NOT_FOUND naming `customerId`). */
export async function existingCustomer(tx: OfferScope['tx'], customerId: string): Promise<string> {
  const customer = await tx.customer.findUnique({ where: { id: customerId }, select: { id: true } });
  if (!customer) throw notFound('Customer', 'customerId');
  return customer.id;
}

/** The SKU (spaces around it dropped) when it is one of the workspace's products (NOT_FOUND naming `sku`). */
export async function existingSku(tx: OfferScope['tx'], sku: string): Promise<string> {
  const product = await tx.product.findFirst({ where: { sku: sku.trim() }, select: { sku: true } });
  if (!product) throw notFound('Product', 'sku');
  return product.sku;
}

/** Records that `sku` was offered to the customer (a row id); see the file's head for the refusals. */
export async function makeOffer(scope: OfferScope, customerId: string, named: string): Promise<Models.CrossSellOffer> {
  await existingCustomer(scope.tx, customerId);
  const sku = await existingSku(scope.tx, named);
  // Offers to one customer one at a time: the cap check below then sees every offer committed before it.
  await scope.lock(`offer:${customerId}`);
  const now = new Date();
  const blocked = (await blockedCustomers(scope.tx, [customerId], scope.settings, now)).get(customerId);
  if (blocked === 'UNSUBSCRIBED') throw veto('UNSUBSCRIBED', 'This customer unsubscribed from campaigns: no offers', { field: 'customerId' });
  if (blocked === 'CAP_REACHED') {
    throw veto('OFFER_CAP_REACHED', `This customer already had ${scope.settings.maxOffersPerPeriod} offers in the last ${scope.settings.offerPeriodDays} days`, { field: 'customerId' });
  }
  const all = (await suggestionsFor(scope.sql, [customerId], 1000, scope.settings, now)).get(customerId) ?? [];
  const suggestion = all.find((s) => s.product.sku === sku);
  if (!suggestion) throw veto('NOT_A_SUGGESTION', 'This product is not a suggestion for this customer (bought, or dismissed recently)', { field: 'sku' });
  const offer = await scope.tx.crossSellOffer.create({
    data: { workspaceId: scope.session.workspaceId, customerId, sku, antecedentSku: suggestion.antecedentSku, offeredAt: now },
  });
  scope.emit('crosssell.offered', { type: 'CrossSellOffer', id: offer.id }, { customerId, sku: offer.sku, antecedentSku: offer.antecedentSku });
  return offer;
}

const makeOfferInput = z.object({
  customerId: z.string().uuid('Not a valid id'),
  // Trimmed by `existingSku`, as for the mutation.
  sku: z.string().min(1, 'Name a product by its SKU').max(100, 'At most 100 characters'),
});

/** What it returns: the offer made, its product, and the product bought that suggested it (none: null). */
const makeOfferOutput = z.object({ offerId: z.uuid().meta({ object: 'CrossSellOffer' }), sku: z.string(), antecedentSku: z.string().nullable() });

/** `cross-sell.makeOffer`: the action other plugins call (a workflow's `callAction` step). */
export const makeOfferAction: ActionDefinition<CrossSellSettings, CrossSellEvent, z.output<typeof makeOfferInput>, z.output<typeof makeOfferOutput>> = {
  description: 'Offers a suggested product to the customer, within the offer cap (as markSuggestionOffered does).',
  input: makeOfferInput,
  output: makeOfferOutput,
  // A caller acting as a role (a workflow's step, as its publisher) needs what recording an offer by hand needs.
  permission: 'offer',
  async run({ customerId, sku }, context) {
    const offer = await makeOffer(context, customerId, sku);
    return { offerId: offer.id, sku: offer.sku, antecedentSku: offer.antecedentSku };
  },
};
