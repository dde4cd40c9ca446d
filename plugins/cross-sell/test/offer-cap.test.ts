// The offer cap under concurrency, on PostgreSQL (real parallel transactions; PGlite runs one at a time): offers to
// the same customer fired at once must not all pass the per-period cap.
import { type PluginTestGateway, startPluginTestGateway } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossSell } from '../src/index.js';

const OFFER = `mutation ($c: ID!, $sku: String!) { markSuggestionOffered(input: { customerId: $c, sku: $sku }) { offer { sku } } }`;
const SKUS = ['A', 'B', 'C', 'D', 'E', 'F'];

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [crossSell], database: 'postgres', rateLimit: { perMinute: 0 } });
});
afterAll(async () => {
  await kit?.close();
});

describe('the offer cap', () => {
  it('holds when offers for the same customer race: exactly the cap succeeds, the rest get CONFLICT', async () => {
    const { client } = kit.workspace;
    for (const sku of SKUS) await client.query(`mutation ($sku: String!) { createProduct(input: { sku: $sku, name: $sku, unitPrice: "5.00" }) { product { id } } }`, { sku });
    const customer = async (name: string, skus: string[]) => {
      const id = (await client.query(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: name })).createCustomer.customer.id as string;
      if (skus.length) {
        const lines = skus.map((sku) => `{ sku: "${sku}", quantity: 1 }`).join(', ');
        await client.query(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [${lines}] }) { order { id } } }`, { c: id });
      }
      return id;
    };
    await customer('everything', SKUS); // makes every SKU popular, so each target has five suggestions
    const targets = await Promise.all(Array.from({ length: 6 }, (_, i) => customer(`target ${i}`, ['A'])));
    await kit.settled();
    const cap = 2;
    await client.query(`mutation ($s: JSON!) { updatePluginSettings(input: { pluginId: "cross-sell", settings: $s }) { plugin { id } } }`, { s: { maxOffersPerPeriod: cap } });

    for (const target of targets) {
      // Five offers at once, each in its own HTTP request and transaction.
      const results = await Promise.all(SKUS.slice(1).map((sku) => client.request(OFFER, { c: target, sku })));
      const succeeded = results.filter((r) => !r.errors);
      const refused = results.filter((r) => r.errors);
      expect(succeeded).toHaveLength(cap);
      expect(refused.map((r) => r.errors?.[0]?.extensions)).toEqual(Array(SKUS.length - 1 - cap).fill(expect.objectContaining({ code: 'CONFLICT', field: 'customerId' })));
    }
    const offers = await kit.database.prisma.crossSellOffer.groupBy({ by: ['customerId'], where: { workspaceId: kit.workspace.workspaceId }, _count: { _all: true } });
    expect(offers.map((o) => o._count._all)).toEqual(Array(targets.length).fill(cap));
  });
});
