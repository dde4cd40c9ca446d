// Run history: per record for every kind of object a trigger takes (core, a plugin's, the workspace's custom
// object), and paged as a connection (workflowRunHistory: first/after, last/before, totalCount).
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineContract, publishedWorkflow, RUN, startTwoWorkspaces } from './support.js';

const BY_RECORD = `query ($recordId: ID) { workflowRuns(recordId: $recordId) { id recordId recordType workflow { name } } }`;
const HISTORY = `query ($workflowId: ID, $recordId: ID, $status: WorkflowRunStatus, $first: Int, $after: String, $last: Int, $before: String) {
  workflowRunHistory(workflowId: $workflowId, recordId: $recordId, status: $status, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id recordId } } } }`;
/** Its runs wait a day: they stay in the history as they are. */
const waitingOn = (object: string) => ({ trigger: { kind: 'manual', object }, steps: [{ id: 'pause', kind: 'wait', for: { days: 1 } }] });

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('History B'));
  // Both workspaces have a Contract; only the other one a Lease.
  for (const client of [admin, other]) await defineContract(client, { number: { type: 'TEXT' } });
  await other.query(`mutation { defineCustomObject(input: { name: "Lease", label: "Lease" }) { customObject { id } } }`);
}, 120_000);
afterAll(() => kit?.close());

const create: Record<string, (client: TestClient, name: string) => Promise<string>> = {
  Customer: async (client, name) => (await client.query(`mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`, { name })).createCustomer.customer.id,
  Competitor: async (client, name) => (await client.query(`mutation ($name: String!) { createCompetitor(input: { name: $name }) { competitor { id } } }`, { name })).createCompetitor.competitor.id,
  Contract: async (client, number) => (await client.query(`mutation ($number: String) { createContract(input: { number: $number }) { contract { id } } }`, { number })).createContract.contract.id,
};

describe('run history per record', () => {
  for (const object of Object.keys(create)) {
    it(`of a ${object} record (${object === 'Customer' ? 'core' : object === 'Competitor' ? 'a plugin’s object' : 'a custom object'})`, async () => {
      const workflow = await publishedWorkflow(admin, `On ${object}`, waitingOn(object));
      const [mine, another] = [await create[object]!(admin, `${object} one`), await create[object]!(admin, `${object} two`)];
      const run = (await admin.query(RUN, { id: workflow, recordId: mine })).runWorkflow.run.id;
      await admin.query(RUN, { id: workflow, recordId: another });
      expect((await admin.query(BY_RECORD, { recordId: mine })).workflowRuns).toEqual([{ id: run, recordId: mine, recordType: object, workflow: { name: `On ${object}` } }]);
      const page = (await admin.query(HISTORY, { recordId: mine })).workflowRunHistory;
      expect(page.totalCount).toBe(1);
      expect(page.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([run]);
      // Another workspace's record of the same-named object: none of its runs here, nor of ours there.
      const theirs = await create[object]!(other, `${object} theirs`);
      expect((await admin.query(BY_RECORD, { recordId: theirs })).workflowRuns).toEqual([]);
      expect((await other.query(BY_RECORD, { recordId: mine })).workflowRuns).toEqual([]);
    });
  }

  it('an id of an object the workspace does not have: BAD_USER_INPUT on recordId', async () => {
    const lease = (await other.query(`mutation { createLease(input: {}) { lease { id } } }`)).createLease.lease.id;
    const result = await admin.request(BY_RECORD, { recordId: lease });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recordId' });
    expect((await admin.request(HISTORY, { recordId: 'not-an-id' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recordId' });
  });
});

describe('run history paged', () => {
  it('pages through every run of a workflow, newest first, forwards and backwards, with the total', async () => {
    const workflow = await publishedWorkflow(admin, 'Paged', waitingOn('Customer'));
    const inputs = Array.from({ length: 25 }, (_, i) => ({ name: `Paged ${String(i).padStart(2, '0')}` }));
    await admin.query(`mutation ($i: [CustomerInput!]!) { createCustomers(inputs: $i) { count } }`, { i: inputs });
    // One statement, one transaction: 25 runs started at the same time (the id breaks the tie).
    const started = (await admin.query(`mutation ($id: ID!) { runWorkflowOnRecords(input: { id: $id, filter: { name: { startsWith: "Paged " } } }) { started } }`, { id: workflow }))
      .runWorkflowOnRecords.started;
    expect(started).toBe(25);
    const all = (await admin.query(`query ($id: ID) { workflowRuns(workflowId: $id, first: 100) { id } }`, { id: workflow })).workflowRuns.map((r: { id: string }) => r.id);
    expect(all).toHaveLength(25);

    const forwards: string[] = [];
    let after: string | null = null;
    for (const size of [10, 10, 5]) {
      const page: any = (await admin.query(HISTORY, { workflowId: workflow, first: 10, after })).workflowRunHistory;
      expect(page.totalCount).toBe(25);
      expect(page.edges).toHaveLength(size);
      expect(page.pageInfo.hasNextPage).toBe(forwards.length + size < 25);
      forwards.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      after = page.pageInfo.endCursor;
    }
    expect(forwards).toEqual(all);

    const backwards: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: any = (await admin.query(HISTORY, { workflowId: workflow, last: 7, before })).workflowRunHistory;
      backwards.unshift(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backwards).toEqual(all);

    // A page's statements do not grow with its size: its runs' steps, workflow and version are folded in (first page,
    // and after a cursor). Counted: the reads of the run tables (the queue's claims and jobs run meanwhile).
    const PAGE = `query ($workflowId: ID, $first: Int, $after: String) { workflowRunHistory(workflowId: $workflowId, first: $first, after: $after) {
      totalCount edges { node { id status workflow { name } version { number } steps { stepId status input } } } } }`;
    // The queue's steps and the plugin's jobs read the same tables in the background and only ever add statements to
    // a window: the fewest of three tries is the page's own.
    const reads = async (variables: Record<string, unknown>) => {
      let fewest: string[] | null = null;
      for (let attempt = 0; attempt < 3; attempt++) {
        const seen = (await kit.sql.during(() => admin.query(PAGE, variables))).filter((q) => /^\s*SELECT/.test(q) && /"Workflow(Run|StepRun|Version)?"/.test(q) && !/FOR UPDATE|SKIP LOCKED/.test(q));
        if (!fewest || seen.length < fewest.length) fewest = seen;
      }
      return fewest!;
    };
    for (const cursor of [null, (await admin.query(HISTORY, { workflowId: workflow, first: 1 })).workflowRunHistory.pageInfo.endCursor]) {
      const small = await reads({ workflowId: workflow, first: 2, after: cursor });
      const large = await reads({ workflowId: workflow, first: 20, after: cursor });
      expect(large.length, large.join('\n')).toBe(small.length);
      // The runs, their workflows, versions and steps, the total; after a cursor, its row read in the workspace first.
      expect(large.length, large.join('\n')).toBeLessThanOrEqual(cursor ? 6 : 5);
    }

    // Filtered by status, and the page size bound.
    expect((await admin.query(HISTORY, { workflowId: workflow, status: 'SUCCEEDED', first: 5 })).workflowRunHistory.totalCount).toBe(0);
    expect((await admin.request(HISTORY, { workflowId: workflow, first: 101 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // `status` is the WorkflowRunStatus enum (as Workflow.runs'): another value is refused before anything runs.
    const unknownStatus = (await admin.request(HISTORY, { workflowId: workflow, status: 'DONE' })).errors?.[0];
    expect(unknownStatus?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknownStatus?.message).toContain('WorkflowRunStatus');
  });
});

describe('run history cursors', () => {
  const cursor = (text: string) => Buffer.from(text).toString('base64');
  const codeAndField = async (client: TestClient, query: string, variables: Record<string, unknown>) => {
    const result = await client.request(query, variables);
    expect(result.data?.workflowRunHistory ?? result.data?.apiKeys ?? null).toBeNull();
    return result.errors?.[0]?.extensions;
  };

  it('a crafted cursor, a missing run’s or another workspace’s: BAD_USER_INPUT on after/before, alike', async () => {
    const workflow = await publishedWorkflow(admin, 'Cursors', waitingOn('Customer'));
    for (const name of ['Cursor one', 'Cursor two', 'Cursor three']) await admin.query(RUN, { id: workflow, recordId: await create.Customer!(admin, name) });
    const theirs = await publishedWorkflow(other, 'Their cursors', waitingOn('Customer'));
    await other.query(RUN, { id: theirs, recordId: await create.Customer!(other, 'Their cursor') });
    const foreign = (await other.query(HISTORY, { workflowId: theirs, first: 1 })).workflowRunHistory.pageInfo.endCursor as string;
    const missing = cursor(`GPC:S:${'00000000-0000-4000-8000-000000000000'}`);

    for (const after of [cursor('GPC:N:5'), cursor('GPC:S:not-a-uuid'), missing, foreign]) {
      expect(await codeAndField(admin, HISTORY, { workflowId: workflow, first: 2, after })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    expect(await codeAndField(admin, HISTORY, { workflowId: workflow, last: 2, before: foreign })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'before' });
    expect(await codeAndField(admin, HISTORY, { workflowId: workflow, last: 2, before: cursor('GPC:N:5') })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'before' });
    // Its own cursor pages on: the two runs after the newest.
    const first = (await admin.query(HISTORY, { workflowId: workflow, first: 1 })).workflowRunHistory;
    expect((await admin.query(HISTORY, { workflowId: workflow, first: 5, after: first.pageInfo.endCursor })).workflowRunHistory.edges).toHaveLength(2);
    // Another workspace's workflow: nothing, and a total of 0.
    expect((await admin.query(HISTORY, { workflowId: theirs, first: 5 })).workflowRunHistory).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('the core’s connections check their cursors the same way (apiKeys)', async () => {
    const KEYS = `query ($after: String) { apiKeys(first: 5, after: $after) { edges { cursor node { id } } } }`;
    const foreign = (await other.query(KEYS)).apiKeys.edges[0].cursor as string;
    for (const after of [cursor('GPC:N:5'), cursor('GPC:S:not-a-uuid'), foreign]) {
      expect(await codeAndField(admin, KEYS, { after })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    const own = (await admin.query(KEYS)).apiKeys.edges[0].cursor as string;
    expect((await admin.query(KEYS, { after: own })).apiKeys.edges).toBeInstanceOf(Array);
  });
});
