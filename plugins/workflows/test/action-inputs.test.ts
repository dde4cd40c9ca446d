// A `callAction` step's input checked at publish by the action's own declaration (the SDK's `ActionInfo.input`, read
// from its zod schema): an unknown action or key, a missing required key, a plain value its rule refuses, a template of
// the wrong kind — each refused with the path; a fitting one publishes and runs (loyalty's awardPoints, cross-sell's
// makeOffer, competitor-feedback's recordFeedback).
import competitorFeedback from '@crm/plugin-competitor-feedback';
import crossSell from '@crm/plugin-cross-sell';
import loyalty from '@crm/plugin-loyalty';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, CUSTOMER, finishedRuns, PUBLISH, publishedWorkflow, RUN } from './support.js';

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), loyalty, crossSell, competitorFeedback] });
  admin = kit.workspace.client;
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

const award = (input: Record<string, unknown>, action = 'loyalty.awardPoints') => ({
  trigger: { kind: 'manual', object: 'Customer' },
  steps: [{ id: 'award', kind: 'callAction', action, input }],
});

async function publishError(definition: unknown) {
  const id = (await admin.query(CREATE, { name: 'Checked', definition })).createWorkflow.workflow.id;
  return (await admin.request(PUBLISH, { id })).errors?.[0] as { message: string; extensions: { code: string; field: string } } | undefined;
}

describe('callAction inputs are checked at publish by the action’s schema', () => {
  const good = { customerId: '{{trigger.record.id}}', points: 50, reason: 'Welcome, {{trigger.record.name}}' };

  it('refuses an unknown action or key, a missing key, a value its rule refuses and a template of the wrong kind', async () => {
    const at = 'definition.steps.0';
    expect((await publishError(award(good, 'loyalty.givePoints')))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `${at}.action` });
    expect((await publishError(award({ ...good, bonus: true })))?.extensions).toMatchObject({ field: `${at}.input.bonus` });
    const missing = await publishError(award({ customerId: good.customerId, points: 50 }));
    expect(missing?.extensions).toMatchObject({ field: `${at}.input.reason` });
    expect(missing?.message).toMatch(/loyalty\.awardPoints needs reason \(text\)/);
    // The action's own messages: its rule for points, and for a blank reason (trimmed).
    const zero = await publishError(award({ ...good, points: 0 }));
    expect(zero?.extensions).toMatchObject({ field: `${at}.input.points` });
    expect(zero?.message).toMatch(/More than 0 points/);
    expect((await publishError(award({ ...good, points: 2.5 })))?.extensions).toMatchObject({ field: `${at}.input.points` });
    expect((await publishError(award({ ...good, reason: '  ' })))?.extensions).toMatchObject({ field: `${at}.input.reason` });
    expect((await publishError(award({ ...good, customerId: 'not-an-id' })))?.extensions).toMatchObject({ field: `${at}.input.customerId` });
    // Templates by the kind the key takes: points a number (a name is text), customerId a Customer's id (not a User's).
    const text = await publishError(award({ ...good, points: '{{trigger.record.name}}' }));
    expect(text?.extensions).toMatchObject({ field: `${at}.input.points` });
    expect(text?.message).toMatch(/is text; this needs a number/);
    expect((await publishError(award({ ...good, points: '{{trigger.record.name}} points' })))?.extensions).toMatchObject({ field: `${at}.input.points` });
    expect((await publishError(award({ ...good, customerId: '{{trigger.record.ownerId}}' })))?.extensions).toMatchObject({ field: `${at}.input.customerId` });
    // Cross-sell's and competitor-feedback's declarations too: a SKU is text; the kind one of its values.
    expect((await publishError(award({ customerId: good.customerId }, 'cross-sell.makeOffer')))?.extensions).toMatchObject({ field: `${at}.input.sku` });
    expect((await publishError(award({ competitorId: '6f1c1d52-8a53-4d3b-9b8e-3f9f1c2a0b11', kind: 'GOSSIP' }, 'competitor-feedback.recordFeedback')))?.extensions).toMatchObject({
      field: `${at}.input.kind`,
    });
  });

  it('publishes fitting input (a number from a template of a number; optional keys left out) and runs it', async () => {
    expect(await publishError(award({ competitorId: '6f1c1d52-8a53-4d3b-9b8e-3f9f1c2a0b11', note: 'Cheaper' }, 'competitor-feedback.recordFeedback'))).toBeUndefined();
    expect(await publishError({ trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'loop', kind: 'forEach', items: [1, 2], do: { id: 'each', kind: 'callAction', action: 'loyalty.awardPoints', input: { ...good, points: '{{item}}' } } }] })).toBeUndefined();
    const id = await publishedWorkflow(admin, 'Welcome bonus', award(good));
    const customer = (await admin.query(CUSTOMER, { name: 'Bonus' })).createCustomer.customer.id as string;
    await admin.query(RUN, { id, recordId: customer });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    expect(run!.steps[0]!.output).toMatchObject({ balance: 50 });
  });
});
