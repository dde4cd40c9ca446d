// A `callAction` step's output typed by its action's declared output (the SDK's `ActionInfo.output`, from the zod
// object the plugin declares): at publish a path it does not declare is refused naming the step and the path, and a
// declared key's type flows where the value is used (a number is no date); an action declaring none stays untyped.
// At run the host holds the action to its declaration: what it returns otherwise fails the step (PLUGIN_FAILED,
// ACTION_OUTPUT_MISMATCH: final, the plugin's bug), and nothing the action wrote in the step's transaction is kept.
import crossSell from '@crm/plugin-cross-sell';
import loyalty from '@crm/plugin-loyalty';
import { definePlugin, z } from '@crm/plugin-sdk';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, CUSTOMER, finishedRuns, PUBLISH, publishedWorkflow, RUN } from './support.js';

/** A plugin with an action that declares its output and breaks it (after writing a task), and one that declares none. */
const stamps = definePlugin({
  id: 'stamps',
  version: '1.0.0',
  requires: { core: '^0.1.0' },
  actions: {
    stamp: {
      input: z.object({ title: z.string() }),
      output: z.object({ taskId: z.uuid() }),
      async run({ title }, { commands }) {
        await commands.createTask({ title });
        // Its bug: not the id it declares.
        return { taskId: 42 } as unknown as { taskId: string };
      },
    },
    note: { input: z.object({ text: z.string() }), run: async ({ text }) => ({ echoed: text }) },
    // An output typed by what it gives: an id of a declared object, one of none, a nullable text, a number parsed from text.
    find: {
      input: z.object({}),
      output: z.object({ customerId: z.uuid().meta({ object: 'Customer' }), thingId: z.uuid(), note: z.string().nullable(), count: z.string().pipe(z.coerce.number()) }),
      run: async () => ({ customerId: '00000000-0000-4000-8000-000000000000', thingId: '00000000-0000-4000-8000-000000000000', note: null, count: '1' }),
    },
  },
});

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), loyalty, crossSell, stamps] });
  admin = kit.workspace.client;
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

const award = { id: 'award', kind: 'callAction', action: 'loyalty.awardPoints', input: { customerId: '{{trigger.record.id}}', points: 50, reason: 'Welcome' } };
const after = (...steps: unknown[]) => ({ trigger: { kind: 'manual', object: 'Customer' }, steps: [award, ...steps] });

async function publishError(definition: unknown) {
  const id = (await admin.query(CREATE, { name: 'Typed output', definition })).createWorkflow.workflow.id;
  return (await admin.request(PUBLISH, { id })).errors?.[0] as { message: string; extensions: { code: string; field: string } } | undefined;
}

describe('a callAction step’s output, typed by its action’s declaration', () => {
  it('refuses a path the action does not declare, naming the step and the path', async () => {
    const unknown = await publishError(after({ id: 't', kind: 'createTask', title: 'Now {{steps.award.output.points}}' }));
    expect(unknown?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.title' });
    expect(unknown?.message).toMatch(/\{\{steps\.award\.output\.points\}\}: step award calls loyalty\.awardPoints, whose declared output has accountId, balance/);
    // A number is read as it is, not deeper.
    expect((await publishError(after({ id: 't', kind: 'createTask', title: '{{steps.award.output.balance.total}}' })))?.extensions).toMatchObject({ field: 'definition.steps.1.title' });
    // Cross-sell's too.
    const offer = { id: 'offer', kind: 'callAction', action: 'cross-sell.makeOffer', input: { customerId: '{{trigger.record.id}}', sku: 'A' } };
    expect(
      (await publishError({ trigger: { kind: 'manual', object: 'Customer' }, steps: [offer, { id: 't', kind: 'createTask', title: '{{steps.offer.output.id}}' }] }))?.message,
    ).toMatch(/cross-sell\.makeOffer, whose declared output has offerId, sku, antecedentSku/);
  });

  it('refuses a declared value where its type does not fit', async () => {
    const date = await publishError(after({ id: 'w', kind: 'wait', until: '{{steps.award.output.balance}}' }));
    expect(date?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.until' });
    expect(date?.message).toMatch(/\{\{steps\.award\.output\.balance\}\} is a number; this needs a date/);
    // A value condition on it: a number's operators and operands.
    const compared = await publishError(after({ id: 'rich', kind: 'condition', if: { value: '{{steps.award.output.balance}}', operator: 'gt', operand: 'lots' }, then: [], else: [] }));
    expect(compared?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.if.operand' });
    // Into another action's input: a balance is no Customer id.
    const id = await publishError(after({ id: 'again', kind: 'callAction', action: 'loyalty.awardPoints', input: { customerId: '{{steps.award.output.balance}}', points: 1, reason: 'x' } }));
    expect(id?.extensions).toMatchObject({ field: 'definition.steps.1.input.customerId' });
  });

  it('types an output id by the object its action declares: not taken where another object\'s id is needed', async () => {
    const into = (customerId: string) => ({ id: 'again', kind: 'callAction', action: 'loyalty.awardPoints', input: { customerId, points: 1, reason: 'x' } });
    // A loyalty account's id is no Customer's: refused at publish (it would fail NOT_FOUND at every run).
    const account = await publishError(after(into('{{steps.award.output.accountId}}')));
    expect(account?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.input.customerId' });
    expect(account?.message).toMatch(/\{\{steps\.award\.output\.accountId\}\} is a LoyaltyAccount id; this needs a Customer id/);
    const task = await publishError(after({ id: 't', kind: 'createTask', title: 'x', customerId: '{{steps.award.output.accountId}}' }));
    expect(task?.extensions).toMatchObject({ field: 'definition.steps.1.customerId' });
    // An id whose action declares no object (and whose name names none) is of no object a caller can know.
    const find = { id: 'find', kind: 'callAction', action: 'stamps.find', input: {} };
    const thing = await publishError({ trigger: { kind: 'manual', object: 'Customer' }, steps: [find, into('{{steps.find.output.thingId}}')] });
    expect(thing?.message).toMatch(/\{\{steps\.find\.output\.thingId\}\} is an id of no declared object; this needs a Customer id/);
    // A Customer's id into a Customer's: publishes.
    expect(await publishError({ trigger: { kind: 'manual', object: 'Customer' }, steps: [find, into('{{steps.find.output.customerId}}')] })).toBeUndefined();
    // A workspace object named Account does not make the loyalty account's id its id.
    await admin.query(`mutation { defineCustomObject(input: { name: "Account", label: "Account" }) { customObject { id } } }`);
    const custom = await publishError(after({ id: 'u', kind: 'updateRecord', record: '{{steps.award.output.accountId}}', object: 'Account', values: { name: 'Renamed' } }));
    expect(custom?.extensions).toMatchObject({ field: 'definition.steps.1.object' });
    expect(custom?.message).toMatch(/is a LoyaltyAccount id, not a Account's/);
  });

  it('types an output by what its action gives: null where it may be, a transform\'s result', async () => {
    const offer = { id: 'offer', kind: 'callAction', action: 'cross-sell.makeOffer', input: { customerId: '{{trigger.record.id}}', sku: 'A' } };
    const afterOffer = (step: unknown) => ({ trigger: { kind: 'manual', object: 'Customer' }, steps: [offer, step] });
    // The product that suggested the offer may be none: not a task's title, which needs a value.
    const title = await publishError(afterOffer({ id: 't', kind: 'createTask', title: '{{steps.offer.output.antecedentSku}}' }));
    expect(title?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.1.title' });
    expect(title?.message).toMatch(/\{\{steps\.offer\.output\.antecedentSku\}\} is text or null; this needs text, never null/);
    // Where a value may be left out, or within text: publishes.
    expect(await publishError(afterOffer({ id: 't', kind: 'createTask', title: 'Offer', notes: '{{steps.offer.output.antecedentSku}}' }))).toBeUndefined();
    expect(await publishError(afterOffer({ id: 't', kind: 'createTask', title: 'Because of {{steps.offer.output.antecedentSku}}' }))).toBeUndefined();
    // Into an action's key that takes no null.
    const find = { id: 'find', kind: 'callAction', action: 'stamps.find', input: {} };
    const reason = await publishError({ trigger: { kind: 'manual', object: 'Customer' }, steps: [find, { id: 'a', kind: 'callAction', action: 'loyalty.awardPoints', input: { customerId: '{{trigger.record.id}}', points: 1, reason: '{{steps.find.output.note}}' } }] });
    expect(reason?.extensions).toMatchObject({ field: 'definition.steps.1.input.reason' });
    // A number parsed from text is a number to its callers (its schema's output side), so no date.
    const count = await publishError({ trigger: { kind: 'manual', object: 'Customer' }, steps: [find, { id: 'w', kind: 'wait', until: '{{steps.find.output.count}}' }] });
    expect(count?.message).toMatch(/\{\{steps\.find\.output\.count\}\} is a number; this needs a date/);
  });

  it('an action declaring no output stays untyped: any path publishes', async () => {
    const untyped = { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'n', kind: 'callAction', action: 'stamps.note', input: { text: 'hi' } }, { id: 't', kind: 'createTask', title: '{{steps.n.output.anything.at.all}}' }] };
    expect(await publishError(untyped)).toBeUndefined();
  });

  it('runs with a typed output: its value written where it is used and tested by a condition', async () => {
    const id = await publishedWorkflow(
      admin,
      'Balance task',
      after({
        id: 'rich',
        kind: 'condition',
        if: { value: '{{steps.award.output.balance}}', operator: 'gte', operand: 50 },
        then: [{ id: 't', kind: 'createTask', title: 'Balance {{steps.award.output.balance}} on {{steps.award.output.accountId}}' }],
        else: [],
      }),
    );
    const customer = (await admin.query(CUSTOMER, { name: 'Typed' })).createCustomer.customer.id as string;
    await admin.query(RUN, { id, recordId: customer });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run?.status, run?.error ?? '').toBe('SUCCEEDED');
    const awarded = run!.steps.find((s) => s.stepId === 'award')!.output as { accountId: string; balance: number };
    expect(awarded.balance).toBe(50);
    expect(run!.steps.find((s) => s.stepId === 't')!.output).toMatchObject({ title: `Balance 50 on ${awarded.accountId}` });
  });

  it('an action returning what it did not declare fails the step at once, and what it wrote is not kept', async () => {
    const id = await publishedWorkflow(admin, 'Stamp', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 's', kind: 'callAction', action: 'stamps.stamp', input: { title: 'Stamped' } }] });
    const customer = (await admin.query(CUSTOMER, { name: 'Stamp me' })).createCustomer.customer.id as string;
    await admin.query(RUN, { id, recordId: customer });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'FAILED' });
    expect(run!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(run!.steps[0]!.error).toMatch(/The stamps plugin's action stamp returned what its declared output refuses \(taskId: .+\); nothing it did was kept/);
    const titles = (await admin.query(`{ tasks(first: 50) { edges { node { title } } } }`)).tasks.edges.map((e: { node: { title: string } }) => e.node.title);
    expect(titles).not.toContain('Stamped');
  });
});
