// An action's business refusal is final: cross-sell's makeOffer refuses (a `veto`: CONFLICT with a reason) a product
// that is not a suggestion, an unsubscribed customer and a reached cap; a workflow's step fails at its first attempt,
// not after `stepAttempts` tries with backoff (the default, 3, is left as it is here). The mutation's refusals keep
// their code and field, and gain the reason.
import crossSell from '@crm/plugin-cross-sell';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { finishedRuns, publishedWorkflow, RUN } from './support.js';

const OFFER = `mutation ($c: ID!, $sku: String!) { markSuggestionOffered(input: { customerId: $c, sku: $sku }) { offer { id sku } } }`;
const PLUGIN_SETTINGS = `mutation ($p: String!, $settings: JSON!) { updatePluginSettings(input: { pluginId: $p, settings: $settings }) { plugin { settings } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), crossSell] });
  admin = kit.workspace.client;
  // Short backoff so that retries, were there any, would show within the test; stepAttempts stays the default.
  await admin.query(PLUGIN_SETTINGS, { p: 'workflows', settings: { retryBackoffMs: 20 } });
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

async function customer(name: string, skus: string[]): Promise<string> {
  const id = (await admin.query(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: name })).createCustomer.customer.id as string;
  const lines = skus.map((sku) => `{ sku: "${sku}", quantity: 1 }`).join(', ');
  if (skus.length) await admin.query(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [${lines}] }) { order { id } } }`, { c: id });
  return id;
}

describe('makeOffer’s refusals are final', () => {
  it('not a suggestion, and a reached cap: the step fails at its first attempt; the mutation says CONFLICT with the reason', async () => {
    for (const sku of ['A', 'B', 'C']) await admin.query(`mutation ($sku: String!) { createProduct(input: { sku: $sku, name: $sku, unitPrice: "5.00" }) { product { id } } }`, { sku });
    await customer('Both one', ['A', 'B', 'C']);
    await customer('Both two', ['A', 'B', 'C']);
    const target = await customer('Only A', ['A']);
    await kit.settled();

    // The mutation: CONFLICT naming the field, with the reason; a SKU with spaces around it is the product.
    const bought = await admin.request(OFFER, { c: target, sku: 'A' });
    expect(bought.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'sku', reason: 'NOT_A_SUGGESTION' });
    expect((await admin.query(OFFER, { c: target, sku: ' B ' })).markSuggestionOffered.offer.sku).toBe('B');

    const offer = (sku: string) => ({ trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'offer', kind: 'callAction', action: 'cross-sell.makeOffer', input: { customerId: '{{trigger.record.id}}', sku } }] });
    const notSuggested = await publishedWorkflow(admin, 'Offer A again', offer('A'));
    await admin.query(RUN, { id: notSuggested, recordId: target });
    const [refused] = await finishedRuns(kit, admin, notSuggested, 1);
    expect(refused).toMatchObject({ status: 'FAILED' });
    expect(refused!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(refused!.steps[0]!.error).toMatch(/not a suggestion/);

    // A cap of one offer a period: B was offered above, so C is refused.
    await admin.query(PLUGIN_SETTINGS, { p: 'cross-sell', settings: { maxOffersPerPeriod: 1 } });
    const capped = await publishedWorkflow(admin, 'Offer C', offer('C'));
    await admin.query(RUN, { id: capped, recordId: target });
    const [over] = await finishedRuns(kit, admin, capped, 1);
    expect(over).toMatchObject({ status: 'FAILED' });
    expect(over!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(over!.steps[0]!.error).toMatch(/already had 1 offers/);
    expect((await admin.query(`query ($c: ID!) { crossSellOffers(filter: { customerId: { eq: $c } }) { totalCount } }`, { c: target })).crossSellOffers.totalCount).toBe(1);
  });
});
