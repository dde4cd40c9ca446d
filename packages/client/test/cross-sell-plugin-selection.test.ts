// The cross-sell plugin through the gateway with every bundled plugin on, and alone (CRM_PLUGINS=cross-sell). Here
// rather than in the plugin: this package depends on every bundled plugin, so turbo builds them all first.
import { loadPlugins } from '@crm/plugin-sdk/host';
import { type PluginTestGateway, startPluginTestGateway } from '@crm/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';

const SETUP = `mutation { a: createProduct(input: { sku: "XS-A", name: "Dripper", unitPrice: "30.00" }) { product { id } }
  b: createProduct(input: { sku: "XS-B", name: "Filters", unitPrice: "5.00" }) { product { id } } }`;
const CREATE_CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
const ORDER = `mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [{ sku: "XS-A", quantity: 1 }, { sku: "XS-B", quantity: 1 }] }) { order { id } } }`;
const ORDER_A = `mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [{ sku: "XS-A", quantity: 1 }] }) { order { id } } }`;
const SUGGESTIONS = `query ($id: ID!) { customer(id: $id) { crossSellSuggestions { product { sku } reason } } }`;

let kit: PluginTestGateway | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

/** Two customers bought A and B, a third only A: B is suggested to the third by the rule A → B. */
async function expectSuggestionsWork(gateway: PluginTestGateway) {
  const client = gateway.workspace.client;
  await client.query(SETUP);
  const ids: string[] = [];
  for (const name of ['One', 'Two', 'Three']) ids.push((await client.query(CREATE_CUSTOMER, { name })).createCustomer.customer.id);
  await client.query(ORDER, { c: ids[0] });
  await client.query(ORDER, { c: ids[1] });
  await client.query(ORDER_A, { c: ids[2] });
  await gateway.settled();
  const data = await client.query(SUGGESTIONS, { id: ids[2] });
  expect(data.customer.crossSellSuggestions).toEqual([{ product: { sku: 'XS-B' }, reason: 'bought by 2 of 3 customers who bought Dripper' }]);
  return ids;
}

describe('cross-sell plugin selection', () => {
  it('works alone (CRM_PLUGINS=cross-sell): no other plugin in the schema', async () => {
    const loaded = await loadPlugins({ env: { ...process.env, CRM_PLUGINS: 'cross-sell' } });
    expect(loaded.enabled.map((p) => p.id)).toEqual(['cross-sell']);
    kit = await startPluginTestGateway({ plugins: loaded.enabled });
    expect(kit.schema).toContain('crossSellSuggestions');
    expect(kit.schema).not.toContain('LoyaltyAccount');
    await expectSuggestionsWork(kit);
  });

  it('works with every bundled plugin on', async () => {
    const loaded = await loadPlugins({ env: { ...process.env, CRM_PLUGINS: undefined }, bundledOnly: true });
    expect(loaded.problems).toEqual([]);
    expect(loaded.enabled.map((p) => p.id)).toEqual(expect.arrayContaining(['cross-sell', 'loyalty']));
    kit = await startPluginTestGateway({ plugins: loaded.enabled });
    const [first] = await expectSuggestionsWork(kit);
    // The other plugins handled the same orders (loyalty: 35 points for a 35.00 order).
    const loyalty = await kit.workspace.client.query(`query ($id: ID!) { customer(id: $id) { loyalty { points } } }`, { id: first });
    expect(loyalty.customer.loyalty.points).toBe(35);
  });
});
