// The rest of issue 17's trigger and step list that had no HTTP test of its own: an event trigger on a plugin's event
// type (competitor-feedback's `competitor.created`) and on a custom object's (`contract.created`), each with a
// condition on its record; `wait` until a date read from the record; `removeTag`.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineContract, finishedRuns, publishedWorkflow, runsOf, startTwoWorkspaces, switchAllOff } from './support.js';

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Events B'));
  for (const client of [admin, other]) await defineContract(client, { amount: { type: 'NUMBER' }, status: { type: 'TEXT' } });
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

describe('event triggers on plugins’ and custom objects’ events', () => {
  it('a plugin’s event type (competitor.created) with a condition on its record', async () => {
    const id = await publishedWorkflow(admin, 'New rival', {
      trigger: { kind: 'event', eventType: 'competitor.created', object: 'Competitor', condition: { name: { startsWith: 'Acme' } } },
      steps: [{ id: 'note', kind: 'updateRecord', values: { weaknesses: 'Seen as {{trigger.event.type}}: {{trigger.event.payload.name}}' } }],
    });
    const acme = (await admin.query(`mutation { createCompetitor(input: { name: "Acme Rivals" }) { competitor { id } } }`)).createCompetitor.competitor.id;
    await admin.query(`mutation { createCompetitor(input: { name: "Other Rivals" }) { competitor { id } } }`);
    await other.query(`mutation { createCompetitor(input: { name: "Acme Rivals" }) { competitor { id } } }`);
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED', recordId: acme });
    const weaknesses = (await admin.query(`{ competitors(first: 10) { edges { node { name weaknesses } } } }`)).competitors.edges.map((e: any) => e.node);
    expect(weaknesses).toContainEqual({ name: 'Acme Rivals', weaknesses: 'Seen as competitor.created: Acme Rivals' });
    expect(weaknesses).toContainEqual({ name: 'Other Rivals', weaknesses: null });
    const theirs = (await other.query(`{ competitors(first: 10) { edges { node { weaknesses } } } }`)).competitors.edges.map((e: any) => e.node);
    expect(theirs).toEqual([{ weaknesses: null }]);
  });

  it('a custom object’s event type (contract.created) with a condition on its custom values', async () => {
    const id = await publishedWorkflow(admin, 'Big contract event', {
      trigger: { kind: 'event', eventType: 'contract.created', object: 'Contract', condition: { amount: { gt: 100 } } },
      steps: [{ id: 'mark', kind: 'updateRecord', values: { status: 'seen ({{trigger.record.amount}})' } }],
    });
    const create = (client: TestClient, amount: number) =>
      client.query(`mutation ($a: Float) { createContract(input: { amount: $a }) { contract { id } } }`, { a: amount }).then((r) => r.createContract.contract.id as string);
    const big = await create(admin, 500);
    const small = await create(admin, 5);
    const theirs = await create(other, 500);
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run).toMatchObject({ status: 'SUCCEEDED', recordId: big });
    const status = async (client: TestClient, contract: string) => (await client.query(`query ($id: ID!) { contract(id: $id) { status } }`, { id: contract })).contract.status;
    expect(await status(admin, big)).toBe('seen (500)');
    expect(await status(admin, small)).toBeNull();
    expect(await status(other, theirs)).toBeNull();
  });
});

describe('waits until a date, and tags removed', () => {
  it('waits until the task’s due time (a date of the record), then removes a tag from its customer', async () => {
    const id = await publishedWorkflow(admin, 'Until due', {
      trigger: { kind: 'record', object: 'Task', on: 'created' },
      steps: [
        { id: 'due', kind: 'wait', until: '{{trigger.record.dueAt}}' },
        { id: 'untag', kind: 'removeTag', tag: 'awaiting-call' },
      ],
    });
    const customer = (await admin.query(`mutation { createCustomer(input: { name: "Wendy", tags: ["awaiting-call", "keep"] }) { customer { id } } }`)).createCustomer.customer.id;
    const dueAt = new Date(Date.now() + 3000).toISOString();
    await admin.query(`mutation ($c: ID!, $d: DateTime) { createTask(input: { title: "Call Wendy", customerId: $c, dueAt: $d }) { task { id } } }`, { c: customer, d: dueAt });
    const [run] = await finishedRuns(kit, admin, id, 1, undefined, 30_000);
    expect(run!.status).toBe('SUCCEEDED');
    expect(run!.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['due', 'SUCCEEDED'],
      ['untag', 'SUCCEEDED'],
    ]);
    // It waited for the record's date (not a duration) and finished after it.
    expect(run!.steps[0]!.output.until).toBe(dueAt);
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(dueAt).getTime());
    expect(run!.steps[1]!.output.tags).toEqual(['keep']);
    expect((await admin.query(`query ($id: ID!) { customer(id: $id) { tags } }`, { id: customer })).customer.tags).toEqual(['keep']);
    expect(await runsOf(admin, id)).toHaveLength(1);
  });
});
