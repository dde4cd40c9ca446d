// `{{trigger.event.payload.<…>}}` and a wait's `{{event.payload.<…>}}` typed by the event's declared payload (the
// SDK's `EventInfo.payload`: core's `coreEventPayloads`, a plugin's `events.<type>.payload`): at publish a key the
// payload does not declare is refused naming the keys it has, and a declared key's type flows where the value is used
// (a step's typed input, a condition's operator, a list for a loop). An event declaring none stays untyped. At emit the
// host holds a plugin to its declaration: a payload it refuses fails the transaction, nothing it wrote kept.
import competitorFeedback from '@crm/plugin-competitor-feedback';
import crossSell from '@crm/plugin-cross-sell';
import loyalty from '@crm/plugin-loyalty';
import { definePlugin, z } from '@crm/plugin-sdk';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoWorkflows, testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, CUSTOMER, finishedRuns, PUBLISH, publishedWorkflow, RUN } from './support.js';

declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    'tally.counted': { count: number; label: string };
    'tally.noted': { anything: unknown };
  }
}

/** A plugin with an event that declares its payload and one that does not, and an action that writes a task and emits one. */
const tally = definePlugin({
  id: 'tally',
  version: '1.0.0',
  requires: { core: '^0.1.0' },
  events: {
    'tally.counted': { subject: 'Task', read: 'MEMBER', payload: z.object({ count: z.number(), label: z.string() }) },
    'tally.noted': { subject: 'Task', read: 'MEMBER' },
  },
  actions: {
    count: {
      input: z.object({ title: z.string(), event: z.enum(['tally.counted', 'tally.noted']), wrong: z.boolean() }),
      async run({ title, event, wrong }, { commands, emit }) {
        const task = await commands.createTask({ title });
        // Its bug when `wrong`: a count that is no number.
        const payload = wrong ? { count: 'many', label: title } : { count: 3, label: title };
        (emit as unknown as (type: string, subject: { type: string; id: string }, payload: object) => void)(event, { type: 'Task', id: task.id }, payload);
        return { taskId: task.id };
      },
    },
  },
});

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), loyalty, crossSell, competitorFeedback, tally] });
  admin = kit.workspace.client;
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

async function publishError(definition: unknown) {
  const id = (await admin.query(CREATE, { name: 'Typed payload', definition })).createWorkflow.workflow.id;
  return (await admin.request(PUBLISH, { id })).errors?.[0] as { message: string; extensions: { code: string; field: string } } | undefined;
}

const onLost = { kind: 'event', eventType: 'deal.lost', object: 'Deal' };
const task = (title: string, extra: Record<string, unknown> = {}) => ({ id: 't', kind: 'createTask', title, ...extra });

describe('an event trigger’s payload, typed by its declaration', () => {
  it('refuses a key the payload does not declare, naming the field and the keys it has', async () => {
    const error = await publishError({ trigger: onLost, steps: [task('Lost: {{trigger.event.payload.nope}}')] });
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.title' });
    expect(error?.message).toContain("{{trigger.event.payload.nope}}: deal.lost's payload has no nope (it has customerId, amount, reason)");
    // A value is read as it is, not deeper.
    expect((await publishError({ trigger: onLost, steps: [task('{{trigger.event.payload.amount.cents}}')] }))?.message).toContain("deal.lost's payload.amount is a value (number), not an object");
    // In a condition's value too.
    const tested = await publishError({ trigger: onLost, steps: [{ id: 'c', kind: 'condition', if: { value: '{{trigger.event.payload.why}}', operator: 'exists' }, then: [], else: [] }] });
    expect(tested?.extensions).toMatchObject({ field: 'definition.steps.0.if.value' });
  });

  it('types each key by its declaration where it is used', async () => {
    // Text takes any single value: a number (money) is written as text.
    expect(await publishError({ trigger: onLost, steps: [task('Lost {{trigger.event.payload.amount}}: {{trigger.event.payload.reason}}', { customerId: '{{trigger.event.payload.customerId}}' })] })).toBeUndefined();
    // A number where one is needed: the amount is (money reads as a number), the reason is not.
    const deal = (amount: string) => ({ id: 'd', kind: 'createDeal', title: 'Win back', amount, customerId: '{{trigger.event.payload.customerId}}' });
    expect(await publishError({ trigger: onLost, steps: [deal('{{trigger.event.payload.amount}}')] })).toBeUndefined();
    const reason = await publishError({ trigger: onLost, steps: [deal('{{trigger.event.payload.reason}}')] });
    expect(reason?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.amount' });
    expect(reason?.message).toContain('{{trigger.event.payload.reason}} is text; this needs a number');
    // An id of the object its key names: a Customer's, not a Deal's.
    const id = await publishError({ trigger: onLost, steps: [task('x', { dealId: '{{trigger.event.payload.customerId}}' })] });
    expect(id?.message).toContain('{{trigger.event.payload.customerId}} is a Customer id; this needs a Deal id');
    // A list for a loop: skus are, a total is not.
    const loop = (items: string) => ({ id: 'l', kind: 'forEach', items, do: { id: 'a', kind: 'addTag', tag: 'bought', customerId: '{{trigger.event.payload.customerId}}' } });
    const onOrder = { kind: 'event', eventType: 'order.recorded', object: 'Order' };
    expect(await publishError({ trigger: onOrder, steps: [loop('{{trigger.event.payload.skus}}')] })).toBeUndefined();
    expect((await publishError({ trigger: onOrder, steps: [loop('{{trigger.event.payload.total}}')] }))?.message).toContain('is a number; this needs a list');
    // An item of a list by its position, typed by the item's declaration.
    expect((await publishError({ trigger: onOrder, steps: [task('{{trigger.event.payload.lines.0.colour}}')] }))?.message).toContain('payload.lines.0 has no colour (it has sku, quantity, unitPrice)');
    expect((await publishError({ trigger: onOrder, steps: [task('{{trigger.event.payload.lines.first}}')] }))?.message).toContain('payload.lines is a list: read an item by its position');
    expect(await publishError({ trigger: onOrder, steps: [task('{{trigger.event.payload.lines.0.sku}}')] })).toBeUndefined();
  });

  it('types a condition’s operator and operand by the key', async () => {
    const when = (value: string, operator: string, operand?: unknown) => ({
      trigger: onLost,
      steps: [{ id: 'c', kind: 'condition', if: { value, operator, ...(operand === undefined ? {} : { operand }) }, then: [], else: [] }],
    });
    expect(await publishError(when('{{trigger.event.payload.amount}}', 'gte', 1000))).toBeUndefined();
    expect((await publishError(when('{{trigger.event.payload.amount}}', 'gte', 'lots')))?.extensions).toMatchObject({ field: 'definition.steps.0.if.operand' });
    expect((await publishError(when('{{trigger.event.payload.amount}}', 'contains', 'x')))?.extensions).toMatchObject({ field: 'definition.steps.0.if.operator' });
  });

  it('a record trigger’s payload is that of the events its change is: a key one of them declares', async () => {
    const onDealUpdated = { kind: 'record', object: 'Deal', on: 'updated' };
    // deal.stage_changed's (a move is an update of the deal); deal.updated's `changes`.
    expect(await publishError({ trigger: onDealUpdated, steps: [task('{{trigger.event.payload.toStageId}} {{trigger.event.payload.changes.title.to}}')] })).toBeUndefined();
    const error = await publishError({ trigger: onDealUpdated, steps: [task('{{trigger.event.payload.amount}}')] });
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.title' });
    expect(error?.message).toMatch(/deal\.updated's payload has no amount \(it has changed, changes, customerId\).*deal\.stage_changed's payload has no amount/);
    const onNewCustomer = { kind: 'record', object: 'Customer', on: 'created' };
    expect((await publishError({ trigger: onNewCustomer, steps: [task('{{trigger.event.payload.email}}')] }))?.message).toContain("customer.created's payload has no email (it has name, lifecycleStage)");
  });

  it('a plugin’s declared payload types its events; one declaring none stays untyped', async () => {
    const onCounted = { kind: 'event', eventType: 'tally.counted', object: 'Task' };
    expect((await publishError({ trigger: onCounted, steps: [task('{{trigger.event.payload.total}}')] }))?.message).toContain("tally.counted's payload has no total (it has count, label)");
    expect((await publishError({ trigger: onCounted, steps: [{ id: 'w', kind: 'wait', until: '{{trigger.event.payload.count}}' }] }))?.message).toContain('is a number; this needs a date');
    const onNoted = { kind: 'event', eventType: 'tally.noted', object: 'Task' };
    expect(await publishError({ trigger: onNoted, steps: [task('{{trigger.event.payload.anything.at.all}}')] })).toBeUndefined();
    // Competitor feedback's: the seeded demo workflow reads competitor.deal_lost's dealId, customerId, amount, reason.
    expect(await publishError(demoWorkflows[1]!.definition)).toBeUndefined();
    expect((await publishError({ trigger: { kind: 'event', eventType: 'competitor.deal_lost', object: 'Competitor' }, steps: [task('{{trigger.event.payload.lostAt}}')] }))?.message).toContain(
      "competitor.deal_lost's payload has no lostAt (it has competitorId, dealId, customerId, amount, reason)",
    );
  });
});

describe('a wait’s condition on the event’s declared payload', () => {
  const waitFor = (eventType: string, where: Record<string, unknown>) => ({
    trigger: { kind: 'record', object: 'Deal', on: 'created' },
    steps: [{ id: 'w', kind: 'waitForEvent', eventType, where, timeout: { days: 1 } }],
  });

  it('refuses a key the payload does not declare; types the one it does', async () => {
    const error = await publishError(waitFor('deal.lost', { value: '{{event.payload.nope}}', operator: 'exists' }));
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.where.value' });
    expect(error?.message).toContain("deal.lost's payload has no nope (it has customerId, amount, reason)");
    expect(await publishError(waitFor('deal.lost', { value: '{{event.payload.amount}}', operator: 'gte', operand: 1000 }))).toBeUndefined();
    expect((await publishError(waitFor('deal.lost', { value: '{{event.payload.amount}}', operator: 'gte', operand: 'big' })))?.extensions).toMatchObject({ field: 'definition.steps.0.where.operand' });
    // An event whose payload has no field changes has none to test.
    expect((await publishError(waitFor('deal.won', { value: '{{event.payload.changes.status.to}}', operator: 'eq', operand: 'WON' })))?.message).toContain(
      "deal.won's payload has no changes (it has customerId, amount)",
    );
    // One that has them: typed by the subject's fields, as before.
    expect(await publishError(waitFor('deal.updated', { value: '{{event.payload.changes.title.to}}', operator: 'contains', operand: 'x' }))).toBeUndefined();
  });
});

describe('a plugin held to its declared payload when it emits', () => {
  const counting = (event: string, wrong: boolean) => ({
    trigger: { kind: 'manual', object: 'Customer' },
    steps: [{ id: 'count', kind: 'callAction', action: 'tally.count', input: { title: `Counted ${event} ${wrong}`, event, wrong } }],
  });
  const titles = async () => (await admin.query(`{ tasks(first: 100) { edges { node { title } } } }`)).tasks.edges.map((e: { node: { title: string } }) => e.node.title);

  it('a payload its declaration refuses fails the transaction: PLUGIN_FAILED naming the event, nothing kept', async () => {
    const id = await publishedWorkflow(admin, 'Wrong count', counting('tally.counted', true));
    const customer = (await admin.query(CUSTOMER, { name: 'Counted wrong' })).createCustomer.customer.id as string;
    await admin.query(RUN, { id, recordId: customer });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'FAILED' });
    expect(run!.steps[0]!.error).toMatch(/The tally plugin emitted tally\.counted with a payload its declaration refuses \(count: .+\); nothing was kept/);
    expect(await titles()).not.toContain('Counted tally.counted true');
  });

  it('a payload it takes is emitted; an event declaring none is not checked', async () => {
    for (const [event, wrong] of [['tally.counted', false], ['tally.noted', true]] as const) {
      const id = await publishedWorkflow(admin, `Count ${event}`, counting(event, wrong));
      const customer = (await admin.query(CUSTOMER, { name: `Counted ${event}` })).createCustomer.customer.id as string;
      await admin.query(RUN, { id, recordId: customer });
      const [run] = await finishedRuns(kit, admin, id, 1);
      expect(run?.status, run?.error ?? '').toBe('SUCCEEDED');
    }
    expect(await titles()).toEqual(expect.arrayContaining(['Counted tally.counted false', 'Counted tally.noted true']));
    const events = await admin.query(`{ events(first: 10, types: ["tally.counted", "tally.noted"]) { edges { node { type payload } } } }`);
    const payloads = Object.fromEntries(events.events.edges.map((e: { node: { type: string; payload: unknown } }) => [e.node.type, e.node.payload]));
    expect(payloads).toEqual({ 'tally.counted': { count: 3, label: 'Counted tally.counted false' }, 'tally.noted': { count: 'many', label: 'Counted tally.noted true' } });
  });
});
