// Run history and a person's data (docs/plugins/workflows.md "Privacy"): the runs about a customer are in their
// export, follow them on a merge (waits included) and are deleted when they are erased; runs about others that name
// them (a wait for their events, their id or email in a snapshot) are stopped and scrubbed. Nothing of another
// customer or another workspace is touched.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, finishedRuns, publishedWorkflow, rowIdOf, RUN, runsOf, startTwoWorkspaces } from './support.js';

const CUSTOMER = `mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`;
const HISTORY = `query ($recordId: ID) { workflowRuns(recordId: $recordId, first: 100) {
  id status recordId error trigger steps { stepId status input output error } } }`;
const EXPORT = `mutation ($c: ID!) { exportPersonalData(input: { customerId: $c }) { document } }`;
const ERASE = `mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`;
const MERGE = `mutation ($keep: ID!, $merge: [ID!]!) { mergeCustomers(input: { keep: $keep, merge: $merge }) { moved { kind count } } }`;
const RENAME = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;


/** Greets each new customer by email: the email and name land in the step's input. */
const welcome = {
  trigger: { kind: 'record', object: 'Customer', on: 'created' },
  steps: [{ id: 'mail', kind: 'sendEmail', to: '{{trigger.record.email}}', subject: 'Welcome {{trigger.record.name}}', text: 'Hello {{trigger.record.name}}' }],
};
/** Started by hand on a customer: waits for their next change. */
const untilChanged = {
  trigger: { kind: 'manual', object: 'Customer' },
  steps: [
    { id: 'changed', kind: 'waitForEvent', eventType: 'customer.updated', subjectId: '{{trigger.record.id}}', timeout: { days: 1 } },
    { id: 'tag', kind: 'addTag', tag: 'changed' },
  ],
};

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Privacy B'));
});
afterAll(() => kit?.close());

const customer = async (client: TestClient, name: string, email: string) => (await client.query(CUSTOMER, { name, email })).createCustomer.customer.id as string;
const waitingRun = async (workflow: string, recordId: string) => (await admin.query(RUN, { id: workflow, recordId })).runWorkflow.run.id as string;

describe('personal data in run history', () => {
  let welcomeId: string;
  let changedId: string;
  beforeAll(async () => {
    welcomeId = await publishedWorkflow(admin, 'Welcome', welcome);
    changedId = await publishedWorkflow(admin, 'Until changed', untilChanged);
    await publishedWorkflow(other, 'Welcome', welcome);
  });

  it('erasePerson: the runs about the customer are gone, those naming them stopped and scrubbed; others’ untouched; exported before', async () => {
    const ann = await customer(admin, 'Ann Erasable', 'Ann.Erasable@example.com');
    const bob = await customer(admin, 'Bob Kept', 'bob.kept@example.com');
    const theirs = await customer(other, 'Ann Erasable', 'Ann.Erasable@example.com');
    await finishedRuns(kit, admin, welcomeId, 2);
    await finishedRuns(kit, other, (await other.query(`{ workflows { id } }`)).workflows[0].id, 1);
    const annWaits = await waitingRun(changedId, ann);
    // Bob's run waits for Ann's change (her id in the definition): about Bob, naming Ann.
    const watcher = await publishedWorkflow(admin, 'Watch Ann', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'ann', kind: 'waitForEvent', eventType: 'customer.updated', subjectId: rowIdOf(ann), timeout: { days: 1 } }],
    });
    const bobWatches = await waitingRun(watcher, bob);
    await finishedRuns(kit, admin, changedId, 1, ['WAITING']);
    await finishedRuns(kit, admin, watcher, 1, ['WAITING']);

    const exported = (await admin.query(EXPORT, { c: ann })).exportPersonalData.document.plugins.workflows;
    expect(exported.runs).toHaveLength(2);
    expect(exported.runs.map((r: { id: string }) => r.id)).toContain(rowIdOf(annWaits));
    // The core keeps emails in lower case.
    expect(JSON.stringify(exported.runs)).toContain('ann.erasable@example.com');
    expect(exported.runs.find((r: { id: string }) => r.id !== rowIdOf(annWaits)).steps[0]).toMatchObject({ stepId: 'mail', status: 'SUCCEEDED' });
    expect(exported.runsNaming.map((r: { id: string }) => r.id)).toEqual([rowIdOf(bobWatches)]);

    await admin.query(ERASE, { c: ann });

    expect((await admin.query(HISTORY, { recordId: ann })).workflowRuns).toEqual([]);
    // The runs merely naming her are scrubbed in the background (runs/erasure-scrub.ts).
    const history = await eventually(kit, async () => {
      const runs = (await admin.query(HISTORY, {})).workflowRuns;
      const text = JSON.stringify(runs).toLowerCase();
      for (const trace of ['ann erasable', 'ann.erasable@example.com', rowIdOf(ann)]) expect(text).not.toContain(trace);
      return runs;
    });
    const watched = history.find((r: { id: string }) => r.id === bobWatches);
    expect(watched).toMatchObject({ status: 'CANCELLED', trigger: { event: null, record: null, erased: true } });
    expect(watched.error).toMatch(/erased/);
    expect(watched.steps).toEqual([{ stepId: 'ann', status: 'CANCELLED', input: null, output: null, error: null }]);
    // Bob's own welcome is his, as it was.
    const bobs = (await admin.query(HISTORY, { recordId: bob })).workflowRuns;
    expect(bobs.map((r: { status: string }) => r.status).sort()).toEqual(['CANCELLED', 'SUCCEEDED']);
    expect(JSON.stringify(bobs.find((r: { status: string }) => r.status === 'SUCCEEDED'))).toContain('bob.kept@example.com');
    // The other workspace's customer of the same name and email keeps their history.
    expect(JSON.stringify((await other.query(HISTORY, { recordId: theirs })).workflowRuns)).toContain('ann.erasable@example.com');
  });

  it('mergeCustomers: the merged-away customer’s runs are the kept one’s, and a run waiting on their changes waits on the kept one’s', async () => {
    const kept = await customer(admin, 'Carl Twin', 'carl@example.com');
    const merged = await customer(admin, 'Carl Twin (2)', 'carl.two@example.com');
    for (const id of [kept, merged]) await eventually(kit, async () => expect((await admin.query(HISTORY, { recordId: id })).workflowRuns).toHaveLength(1));
    const waits = await waitingRun(changedId, merged);
    await eventually(kit, async () => expect((await admin.query(HISTORY, { recordId: merged })).workflowRuns.map((r: { status: string }) => r.status).sort()).toEqual(['SUCCEEDED', 'WAITING']));

    await admin.query(MERGE, { keep: kept, merge: [merged] });

    const keptRuns = (await admin.query(HISTORY, { recordId: kept })).workflowRuns;
    expect(keptRuns.map((r: { id: string }) => r.id)).toContain(waits);
    expect(keptRuns).toHaveLength(3);
    expect(new Set(keptRuns.map((r: { recordId: string }) => r.recordId))).toEqual(new Set([kept]));
    // The kept customer changes: the wait that was on the merged-away one ends.
    await admin.query(RENAME, { id: kept, name: 'Carl Twin, merged' });
    await eventually(kit, async () => {
      const run = (await runsOf(admin, changedId)).find((r) => r.id === waits)!;
      expect(run.status, JSON.stringify(run)).toBe('SUCCEEDED');
    });
  });
});
