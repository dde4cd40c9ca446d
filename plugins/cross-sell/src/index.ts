// The cross-sell suggestions plugin, built only on the public SDK: association rules mined from purchase history
// (kept incrementally on order.recorded), ranked suggestions per customer, offers that respect caps, dismissals and
// unsubscribes, and figures (acceptance per pair, revenue from accepted suggestions).
import { definePlugin } from '@crm/plugin-sdk';
import { crossSellEvents } from './events.js';
import { registerCrossSellFigures } from './graphql/figures.js';
import { registerCrossSellMutations } from './graphql/mutations.js';
import { registerCrossSellTypes } from './graphql/types.js';
import { addPurchases } from './rules.js';
import { CrossSellOffer } from './objects.js';
import { makeOfferAction } from './offers.js';
import { crossSellPersonalData } from './personal-data.js';
import { seedCrossSell } from './seed.js';
import { crossSellSettings } from './settings.js';

export const crossSell = definePlugin({
  id: 'cross-sell',
  version: '1.0.0',
  description: 'Cross-sell suggestions mined from purchase history, offered without annoying customers.',
  requires: { core: '^0.1.0' },
  prisma: new URL('../prisma/schema', import.meta.url),
  migrations: new URL('../prisma/migrations', import.meta.url),
  settings: crossSellSettings,
  permissions: {
    read: { roles: ['READ_ONLY', 'MEMBER', 'ADMIN'], description: 'See suggestions and figures' },
    offer: { roles: ['MEMBER', 'ADMIN'], description: 'Record offers and customers\' answers' },
    manage: { roles: ['ADMIN'], description: 'Rebuild the rules from all orders' },
  },
  events: crossSellEvents,
  objects: [CrossSellOffer],
  graphql(builder, plugin) {
    const types = registerCrossSellTypes(builder, plugin);
    registerCrossSellMutations(builder, plugin, types);
    registerCrossSellFigures(builder, plugin);
  },
  subscribers: {
    'order.recorded': {
      // Idempotent twice over: the SDK's processed mark per event id, and only SKUs new to the customer count.
      countPurchases: async (event, { tx }) => {
        await addPurchases(tx, event.workspaceId, event.payload.customerId, event.payload.skus, new Date(event.payload.orderedAt));
      },
    },
  },
  actions: { makeOffer: makeOfferAction },
  seed: seedCrossSell,
  personalData: crossSellPersonalData,
});

export default crossSell;
export { crossSellSettings, type CrossSellSettings } from './settings.js';
