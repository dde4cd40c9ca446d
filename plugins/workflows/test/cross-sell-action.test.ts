// A workflow calling cross-sell's `makeOffer` action (declared through the SDK, as loyalty's awardPoints is): the offer
// is recorded as markSuggestionOffered records it (one function), bad input is refused at publish or fails the step
// with its code, and a workflow never offers to another workspace's customer.
import competitorFeedback from '@crm/plugin-competitor-feedback';
import crossSell from '@crm/plugin-cross-sell';
import loyalty from '@crm/plugin-loyalty';
import { rowId } from '@crm/plugin-sdk';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, finishedRuns, PUBLISH, publishedWorkflow, RUN, switchAllOff } from './support.js';

const OFFERS = `query ($c: ID!) { crossSellOffers(filter: { customerId: { eq: $c } }) { totalCount edges { node { sku antecedentSku } } } }`;
const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

async function customer(client: TestClient, name: string, skus: string[]): Promise<string> {
  const id = (await client.query(`mutation ($n: String!) { createCustomer(input: { name: $n }) { customer { id } } }`, { n: name })).createCustomer.customer.id as string;
  if (skus.length) {
    const lines = skus.map((sku) => `{ sku: "${sku}", quantity: 1 }`).join(', ');
    await client.query(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [${lines}] }) { order { id } } }`, { c: id });
  }
  return id;
}

/** A workspace where a customer who bought A is suggested B (others bought A and B). */
async function withSuggestions(client: TestClient): Promise<string> {
  for (const sku of ['A', 'B']) await client.query(`mutation ($sku: String!) { createProduct(input: { sku: $sku, name: $sku, unitPrice: "5.00" }) { product { id } } }`, { sku });
  await customer(client, 'Both one', ['A', 'B']);
  await customer(client, 'Both two', ['A', 'B']);
  const target = await customer(client, 'Only A', ['A']);
  await kit.settled();
  return target;
}

const offerWorkflow = (input: Record<string, unknown>) => ({
  trigger: { kind: 'manual', object: 'Customer' },
  steps: [{ id: 'offer', kind: 'callAction', action: 'cross-sell.makeOffer', input }],
});

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), loyalty, competitorFeedback, crossSell] });
  admin = kit.workspace.client;
  other = (await kit.createWorkspace('Other shop')).client;
  for (const client of [admin, other]) await client.query(SETTINGS, { settings: { retryBackoffMs: 20, stepAttempts: 1 } });
});
afterEach(async () => {
  await switchAllOff(kit, admin);
  await switchAllOff(kit, other);
});
afterAll(async () => {
  await kit?.close();
});

describe('cross-sell.makeOffer through a callAction step', () => {
  it('records the offer (rule antecedent, event) as markSuggestionOffered does', async () => {
    const target = await withSuggestions(admin);
    const id = await publishedWorkflow(admin, 'Offer B', offerWorkflow({ customerId: '{{trigger.record.id}}', sku: 'B' }));
    await admin.query(RUN, { id, recordId: target });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    expect(run!.steps[0]!.output).toMatchObject({ offerId: expect.any(String), sku: 'B', antecedentSku: 'A' });
    const offers = (await admin.query(OFFERS, { c: target })).crossSellOffers;
    expect(offers).toEqual({ totalCount: 1, edges: [{ node: { sku: 'B', antecedentSku: 'A' } }] });
    const event = await kit.lastEvent('crosssell.offered');
    expect(event.payload).toMatchObject({ sku: 'B', antecedentSku: 'A' });
    expect(event.actor).toMatch(/:step:/); // the workflow's step, as its events name it

    // The mutation's refusals: a product the customer bought is not a suggestion, and the step fails with CONFLICT.
    const bought = await publishedWorkflow(admin, 'Offer A', offerWorkflow({ customerId: '{{trigger.record.id}}', sku: 'A' }));
    await admin.query(RUN, { id: bought, recordId: target });
    const [refused] = await finishedRuns(kit, admin, bought, 1);
    expect(refused!.status).toBe('FAILED');
    expect(refused!.steps[0]!.error).toMatch(/not a suggestion for this customer/);
    expect((await admin.query(OFFERS, { c: target })).crossSellOffers.totalCount).toBe(1);
  });

  it('refuses bad input: unknown keys and values the action’s schema refuses at publish, then what only the data shows when the step runs', async () => {
    const draft = (await admin.query(CREATE, { name: 'Bad key', definition: offerWorkflow({ customerId: '{{trigger.record.id}}', product: 'B' }) })).createWorkflow.workflow.id;
    expect((await admin.request(PUBLISH, { id: draft })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.input.product' });

    // A plain value the action's schema refuses is refused at publish too (the SDK's `ActionInfo.input`), with its message.
    const empty = (await admin.query(CREATE, { name: 'Empty SKU', definition: offerWorkflow({ customerId: '{{trigger.record.id}}', sku: '' }) })).createWorkflow.workflow.id;
    const refused = (await admin.request(PUBLISH, { id: empty })).errors?.[0];
    expect(refused?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.input.sku' });
    expect(refused?.message).toMatch(/Name a product by its SKU/);

    const target = await customer(admin, 'Nobody buys', []);
    const unknown = await publishedWorkflow(admin, 'Unknown SKU', offerWorkflow({ customerId: '{{trigger.record.id}}', sku: 'NOPE' }));
    await admin.query(RUN, { id: unknown, recordId: target });
    const [missing] = await finishedRuns(kit, admin, unknown, 1);
    expect(missing!.steps[0]!.error).toMatch(/Product/);
    expect((await admin.query(OFFERS, { c: target })).crossSellOffers.totalCount).toBe(0);
  });

  it("never offers to another workspace's customer", async () => {
    const theirs = await withSuggestions(other);
    const ours = await customer(admin, 'Ours', []);
    const ourOffers = () => kit.database.prisma.crossSellOffer.count({ where: { workspaceId: kit.workspace.workspaceId } });
    const before = await ourOffers();
    // Our workflow names their customer's row id: the action reads through our workspace's scope and finds nobody.
    const id = await publishedWorkflow(admin, 'Foreign offer', offerWorkflow({ customerId: rowId(theirs, 'Customer', 'customerId'), sku: 'B' }));
    await admin.query(RUN, { id, recordId: ours });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('FAILED');
    expect(run!.steps[0]!.error).toMatch(/Customer/);
    expect((await other.query(OFFERS, { c: theirs })).crossSellOffers.totalCount).toBe(0);
    expect(await ourOffers()).toBe(before);
  });
});
