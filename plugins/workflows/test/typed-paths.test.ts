// Publishing checks the types of template paths, not only that they exist: where a step needs a date, a number, a list
// or a record's id, the path must hold one (the error names the field, as every publish error does); event types in
// triggers and waits must be declared (core's, an installed plugin's, a custom object's record events), and an event
// trigger's `object` must be what the event is about.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, defineContract, PUBLISH, startTwoWorkspaces } from './support.js';

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Typed paths, other'));
});
afterAll(async () => {
  await kit?.close();
});

async function published(definition: unknown): Promise<{ code: string; field: string; message: string } | null> {
  const id = (await admin.query(CREATE, { name: 'Typed', definition })).createWorkflow.workflow.id;
  const result = await admin.request(PUBLISH, { id });
  const error = result.errors?.[0];
  return error ? { ...(error.extensions as { code: string; field: string }), message: error.message } : null;
}

const onCustomer = { kind: 'record', object: 'Customer', on: 'created' };
const onDeal = { kind: 'record', object: 'Deal', on: 'updated' };

describe('typed paths', () => {
  it('a date where a date is needed: wait.until, createTask.dueAt, createDeal.expectedCloseAt', async () => {
    expect(await published({ trigger: onCustomer, steps: [{ id: 'w', kind: 'wait', until: '{{trigger.record.name}}' }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.steps.0.until',
      message: expect.stringContaining('{{trigger.record.name}} is text; this needs a date'),
    });
    expect(await published({ trigger: onCustomer, steps: [{ id: 't', kind: 'createTask', title: 'x', dueAt: '{{trigger.record.lifecycleStage}}' }] })).toMatchObject({
      field: 'definition.steps.0.dueAt',
    });
    // Text around a template is text, even around a date.
    expect(await published({ trigger: onCustomer, steps: [{ id: 'w', kind: 'wait', until: 'on {{trigger.record.stageChangedAt}}' }] })).toMatchObject({
      field: 'definition.steps.0.until',
      message: expect.stringContaining('text with templates in it'),
    });
    expect(
      await published({ trigger: onDeal, steps: [{ id: 'd', kind: 'createDeal', title: 'Renewal', expectedCloseAt: '{{trigger.record.title}}' }] }),
    ).toMatchObject({ field: 'definition.steps.0.expectedCloseAt' });
    // A step's output: a task's title is text, its dueAt a date.
    expect(
      await published({ trigger: onCustomer, steps: [{ id: 't', kind: 'createTask', title: 'x', dueIn: { days: 1 } }, { id: 'w', kind: 'wait', until: '{{steps.t.output.title}}' }] }),
    ).toMatchObject({ field: 'definition.steps.1.until', message: expect.stringContaining('{{steps.t.output.title}} is text') });
    expect(
      await published({
        trigger: onCustomer,
        steps: [
          { id: 't', kind: 'createTask', title: 'x', dueIn: { days: 1 } },
          { id: 'w', kind: 'wait', until: '{{steps.t.output.dueAt}}' },
          { id: 'u', kind: 'wait', until: '{{trigger.record.stageChangedAt}}' },
          { id: 'v', kind: 'wait', until: '{{trigger.event.occurredAt}}' },
        ],
      }),
    ).toBeNull();
  });

  it('a list for forEach.items, a number for amounts', async () => {
    const loop = (items: string) => ({ id: 'each', kind: 'forEach', items, do: { id: 'tag', kind: 'addTag', tag: '{{item}}' } });
    expect(await published({ trigger: onCustomer, steps: [loop('{{trigger.record.name}}')] })).toMatchObject({
      field: 'definition.steps.0.items',
      message: expect.stringContaining('this needs a list'),
    });
    expect(await published({ trigger: onCustomer, steps: [loop('{{trigger.record.tags}}')] })).toBeNull();
    // An event's payload is typed by its declared shape: an order's lines are a list, its total is not; a new
    // customer's event has no lines (test/event-payload-paths.test.ts).
    const onOrder = { kind: 'record', object: 'Order', on: 'created' };
    expect(await published({ trigger: onOrder, steps: [loop('{{trigger.event.payload.lines}}')] })).toBeNull();
    expect(await published({ trigger: onOrder, steps: [loop('{{trigger.event.payload.total}}')] })).toMatchObject({
      field: 'definition.steps.0.items',
      message: expect.stringContaining('{{trigger.event.payload.total}} is a number; this needs a list'),
    });
    expect(await published({ trigger: onCustomer, steps: [loop('{{trigger.event.payload.lines}}')] })).toMatchObject({
      field: 'definition.steps.0.items',
      message: expect.stringContaining("customer.created's payload has no lines (it has name, lifecycleStage)"),
    });
    expect(await published({ trigger: onDeal, steps: [{ id: 'd', kind: 'createDeal', title: 'Renewal', amount: '{{trigger.record.title}}' }] })).toMatchObject({
      field: 'definition.steps.0.amount',
      message: expect.stringContaining('this needs a number'),
    });
    expect(await published({ trigger: onDeal, steps: [{ id: 'd', kind: 'createDeal', title: 'Renewal', amount: '{{trigger.record.amount}}' }] })).toBeNull();
  });

  it("an id of the right object: a customer's id where a customer is needed, not its owner's", async () => {
    expect(await published({ trigger: onCustomer, steps: [{ id: 't', kind: 'createTask', title: 'x', customerId: '{{trigger.record.ownerId}}' }] })).toMatchObject({
      field: 'definition.steps.0.customerId',
      message: expect.stringContaining('{{trigger.record.ownerId}} is a User id; this needs a Customer id'),
    });
    expect(await published({ trigger: onDeal, steps: [{ id: 't', kind: 'addTag', tag: 'x', customerId: '{{trigger.record.id}}' }] })).toMatchObject({
      field: 'definition.steps.0.customerId',
      message: expect.stringContaining('a Deal id'),
    });
    // An event's subject is the object the event is about.
    expect(
      await published({ trigger: { kind: 'event', eventType: 'deal.lost', object: 'Deal' }, steps: [{ id: 't', kind: 'logActivity', type: 'NOTE', channel: 'EMAIL', subject: 'x', customerId: '{{trigger.event.subjectId}}' }] }),
    ).toMatchObject({ field: 'definition.steps.0.customerId' });
    expect(
      await published({
        trigger: onDeal,
        steps: [{ id: 't', kind: 'createTask', title: 'x', customerId: '{{trigger.record.customerId}}', dealId: '{{trigger.record.id}}', assigneeId: '{{trigger.record.customer.ownerId}}' }],
      }),
    ).toBeNull();
  });

  it("record values by the target field's kind (updateRecord, createRecord)", async () => {
    expect(await published({ trigger: onDeal, steps: [{ id: 'u', kind: 'updateRecord', values: { amount: '{{trigger.record.title}}' } }] })).toMatchObject({
      field: 'definition.steps.0.values.amount',
      message: expect.stringContaining('this needs a number'),
    });
    expect(await published({ trigger: onDeal, steps: [{ id: 'u', kind: 'updateRecord', values: { expectedCloseAt: '{{trigger.record.stageChangedAt}}', title: 'Deal {{trigger.record.amount}}' } }] })).toBeNull();
    expect(await published({ trigger: onDeal, steps: [{ id: 'u', kind: 'updateRecord', relation: 'customer', values: { ownerId: '{{trigger.record.customerId}}' } }] })).toMatchObject({
      field: 'definition.steps.0.values.ownerId',
      message: expect.stringContaining('a Customer id; this needs a User id'),
    });
  });
});

describe('event types', () => {
  it('are declared: core’s, an installed plugin’s, a custom object’s record events', async () => {
    expect(await published({ trigger: { kind: 'event', eventType: 'deal.lsot' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 1 } }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'definition.trigger.eventType',
      message: expect.stringContaining('deal.lost'),
    });
    expect(await published({ trigger: { kind: 'event', eventType: 'competitor.deal_lost', object: 'Competitor' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 1 } }] })).toBeNull();
    expect(
      await published({ trigger: onCustomer, steps: [{ id: 'w', kind: 'waitForEvent', eventType: 'task.complete', timeout: { days: 1 } }] }),
    ).toMatchObject({ field: 'definition.steps.0.eventType', message: expect.stringContaining('task.completed') });
    // A declared object's record events are the ones it declares (customers go to the trash: no customer.deleted).
    expect(await published({ trigger: { kind: 'event', eventType: 'customer.deleted' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 1 } }] })).toMatchObject({
      field: 'definition.trigger.eventType',
      message: expect.stringContaining('customer.trashed'),
    });
    await defineContract(admin, {});
    expect(await published({ trigger: { kind: 'event', eventType: 'contract.created', object: 'Contract' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 1 } }] })).toBeNull();
    expect(await published({ trigger: { kind: 'event', eventType: 'contract.signed', object: 'Contract' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 1 } }] })).toMatchObject({
      field: 'definition.trigger.eventType',
    });
  });

  it("an event trigger's object is what the event is about", async () => {
    expect(await published({ trigger: { kind: 'event', eventType: 'competitor.deal_lost', object: 'Deal' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 1 } }] })).toMatchObject({
      field: 'definition.trigger.object',
      message: expect.stringContaining('competitor.deal_lost is about a Competitor, not a Deal'),
    });
    expect(await published({ trigger: { kind: 'event', eventType: 'survey.responded', object: 'SurveyResponse' }, steps: [{ id: 'w', kind: 'wait', for: { seconds: 1 } }] })).toBeNull();
  });
});
