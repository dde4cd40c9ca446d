// Who reads and changes what of the workflows plugin (docs/plugins/workflows.md, "Access"):
// - the workflow types guard themselves (src/graphql/access.ts): a run-only MEMBER key reads a summary of the runs it
//   starts and nothing else; READ_ONLY keys read nothing, also through `node(id:)`;
// - every mutation and query of the plugin, aimed at another workspace's rows, answers NOT_FOUND (or nothing) and
//   changes nothing; with a MEMBER or READ_ONLY key, FORBIDDEN and changes nothing. The last tests fail when the
//   plugin gains a mutation that has no attack here, or a query that has no read.
import { buildSchema } from '@crm/graph';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, publishedWorkflow } from './support.js';

const RUN = (selection: string) => `mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { ${selection} } } }`;
const NODE = (selection: string) => `query ($id: ID!) { node(id: $id) { id ${selection} } }`;
/** What workspace A sees of its workflows: compared before and after the attacks. */
const VIEW = `{ workflows { id name enabled draft signingSecret publishedVersion { id number } versions { id } }
  archived: workflows(archived: true) { id name enabled archivedAt }
  workflowRuns(first: 100) { id status triggerId finishedAt } }`;

/** Its runs wait a day: they stay unfinished (cancellable) and cost nothing meanwhile. */
const WAITING = { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'pause', kind: 'wait', for: { days: 1 } }] };

let kit: PluginTestGateway;
let admin: TestClient;
let foreign: TestClient;
let member: TestClient;
let reader: TestClient;
/** Workspace A's rows the attacks aim at. */
const a = { workflow: '', version: '', run: '', customer: '', draft: '', archived: '' };
/** A summary of a run, as the MEMBER who starts it may read it. */
const SUMMARY = `id status triggerId recordId recordType depth rerunOf startedAt admittedAt heldBack finishedAt
  steps { id stepId kind status attempts dueAt startedAt finishedAt durationMs }
  workflow { id name enabled createdAt updatedAt } version { id number trigger publishedAt }`;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 })] });
  admin = kit.workspace.client;
  foreign = (await kit.createWorkspace('Attacker')).client;
  member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
  reader = await kit.issueKey(kit.workspace.workspaceId, 'READ_ONLY');
  a.customer = (await admin.query(CUSTOMER, { name: 'Vera Victim' })).createCustomer.customer.id;
  a.workflow = await publishedWorkflow(admin, 'Guarded', WAITING);
  a.version = (await admin.query(`query ($id: ID!) { workflow(id: $id) { publishedVersion { id } } }`, { id: a.workflow })).workflow.publishedVersion.id;
  a.run = (await admin.query(RUN('id'), { id: a.workflow, recordId: a.customer })).runWorkflow.run.id;
  // A draft that differs from the published version: publishing it would show.
  a.archived = await publishedWorkflow(admin, 'Archived', WAITING);
  await admin.query(`mutation ($id: ID!) { archiveWorkflow(input: { id: $id }) { workflow { id } } }`, { id: a.archived });
  a.draft = (await admin.query(`mutation { createWorkflow(input: { name: "Draft only", definition: { trigger: { kind: "manual", object: "Customer" }, steps: [{ id: "pause", kind: "wait", for: { days: 1 } }] } }) { workflow { id } } }`)).createWorkflow.workflow.id;
});
afterAll(() => kit?.close());

describe('reading workflows: the types guard themselves', () => {
  it('a MEMBER reads a summary of the run it starts: not the secret, definitions, snapshots, step data or other runs', async () => {
    const started = (await member.query(RUN(SUMMARY), { id: a.workflow, recordId: a.customer })).runWorkflow.run;
    expect(started).toMatchObject({ recordId: a.customer, recordType: 'Customer', workflow: { id: a.workflow, name: 'Guarded', enabled: true }, version: { id: a.version, number: 1, trigger: 'manual:Customer' } });
    expect(['QUEUED', 'RUNNING', 'WAITING']).toContain(started.status);
    const refused = [
      'trigger',
      'error',
      'steps { input }',
      'steps { output }',
      'steps { error }',
      'version { definition }',
      'workflow { signingSecret }',
      'workflow { draft }',
      'workflow { webhookPath }',
      'workflow { nextFireAt }',
      'workflow { datesScannedUntil }',
      'workflow { publishedVersion { id } }',
      'workflow { versions { id } }',
      'workflow { runs { id } }',
    ];
    for (const selection of refused) {
      const result = await member.request(RUN(`id ${selection}`), { id: a.workflow, recordId: a.customer });
      expect(result.errors?.[0]?.extensions?.code, selection).toBe('FORBIDDEN');
      expect(result.errors?.[0]?.message, selection).toContain('"manage"');
    }
    // The selection path grants the same summary of the runs it starts.
    const RUN_MANY = (selection: string) => `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started runs { ${selection} } } }`;
    const many = (await member.query(RUN_MANY(SUMMARY), { id: a.workflow, ids: [a.customer] })).runWorkflowOnRecords;
    expect(many.runs[0].workflow.name).toBe('Guarded');
    expect((await member.request(RUN_MANY('trigger'), { id: a.workflow, ids: [a.customer] })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Nothing reached another way: not even the run it has just started, by its id.
    expect((await member.request(NODE('... on WorkflowRun { status }'), { id: started.id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('node(id:) of a workflow, a version or a run: FORBIDDEN to MEMBER and READ_ONLY keys; everything to ADMIN keys', async () => {
    const nodes: [string, string][] = [
      [a.workflow, '... on Workflow { name signingSecret draft }'],
      [a.version, '... on WorkflowVersion { number definition }'],
      [a.run, '... on WorkflowRun { status trigger steps { input } }'],
    ];
    for (const [id, selection] of nodes) {
      for (const client of [member, reader]) {
        const result = await client.request(NODE(selection), { id });
        expect(result.errors?.[0]?.extensions?.code, selection).toBe('FORBIDDEN');
        expect(result.data?.node ?? null).toBeNull();
        // Asking for nothing but the id is refused too.
        expect((await client.request(NODE(''), { id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
      expect((await admin.query(NODE(selection), { id })).node.id).toBe(id);
    }
    const workflow = (await admin.query(NODE('... on Workflow { signingSecret }'), { id: a.workflow })).node;
    expect(workflow.signingSecret).toMatch(/^[0-9a-f]{48}$/);
  });
});

/** Each mutation of the plugin, aimed at workspace A's rows. */
const attacks: Record<string, () => [string, Record<string, unknown>]> = {
  createWorkflow: () => [`mutation { createWorkflow(input: { name: "Intruder" }) { workflow { id } } }`, {}],
  updateWorkflowDraft: () => [
    `mutation ($id: ID!) { updateWorkflowDraft(input: { id: $id, name: "Pwned", definition: { trigger: null, steps: [] } }) { workflow { id } } }`,
    { id: a.workflow },
  ],
  publishWorkflow: () => [`mutation ($id: ID!) { publishWorkflow(input: { id: $id }) { version { number } } }`, { id: a.draft }],
  setWorkflowEnabled: () => [`mutation ($id: ID!) { setWorkflowEnabled(input: { id: $id, enabled: false }) { workflow { enabled } } }`, { id: a.workflow }],
  runWorkflow: () => [RUN('id'), { id: a.workflow, recordId: a.customer }],
  runWorkflowOnRecords: () => [`mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`, { id: a.workflow, ids: [a.customer] }],
  cancelWorkflowRun: () => [`mutation ($id: ID!) { cancelWorkflowRun(input: { id: $id }) { run { status } } }`, { id: a.run }],
  cancelWorkflowRuns: () => [`mutation ($id: ID!) { cancelWorkflowRuns(input: { workflowId: $id }) { cancelled } }`, { id: a.workflow }],
  rerunWorkflowRun: () => [`mutation ($id: ID!) { rerunWorkflowRun(input: { id: $id }) { run { id } } }`, { id: a.run }],
  archiveWorkflow: () => [`mutation ($id: ID!) { archiveWorkflow(input: { id: $id }) { workflow { archivedAt } } }`, { id: a.workflow }],
  restoreWorkflow: () => [`mutation ($id: ID!) { restoreWorkflow(input: { id: $id }) { workflow { archivedAt } } }`, { id: a.archived }],
  rotateWorkflowWebhookUrl: () => [`mutation ($id: ID!) { rotateWorkflowWebhookUrl(input: { id: $id }) { workflow { id } } }`, { id: a.workflow }],
  rotateWorkflowSigningSecret: () => [`mutation ($id: ID!) { rotateWorkflowSigningSecret(input: { id: $id }) { workflow { id } } }`, { id: a.workflow }],
};
/** Mutations that name none of A's rows: they succeed inside the attacker's own workspace. */
const succeedInOwnWorkspace = new Set(['createWorkflow']);
/** Mutations a MEMBER key may make (permission `run`): they are the subject of the test above. */
const memberMay = new Set(['runWorkflow', 'runWorkflowOnRecords']);

/** Each query of the plugin, aimed at workspace A's rows, and what it answers another workspace. */
const reads: Record<string, { query: string; variables: () => Record<string, unknown>; foreign: (data: Record<string, any> | null | undefined) => void }> = {
  workflows: { query: `{ workflows { id } }`, variables: () => ({}), foreign: (data) => expect(data!.workflows.map((w: { id: string }) => w.id)).not.toContain(a.workflow) },
  workflow: { query: `query ($id: ID!) { workflow(id: $id) { id } }`, variables: () => ({ id: a.workflow }), foreign: (data) => expect(data!.workflow).toBeNull() },
  'workflows(archived)': {
    query: `{ workflows(archived: true) { id } }`,
    variables: () => ({}),
    foreign: (data) => expect(data!.workflows.map((w: { id: string }) => w.id)).not.toContain(a.archived),
  },
  workflowsConnection: {
    query: `{ workflowsConnection(first: 100) { totalCount edges { node { id } } } }`,
    variables: () => ({}),
    foreign: (data) => expect(data!.workflowsConnection.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(a.workflow),
  },
  'workflowRunHistory(workflowId)': {
    query: `query ($id: ID) { workflowRunHistory(workflowId: $id) { totalCount edges { node { id } } } }`,
    variables: () => ({ id: a.workflow }),
    foreign: (data) => expect(data!.workflowRunHistory).toEqual({ totalCount: 0, edges: [] }),
  },
  'workflowRunHistory(recordId)': {
    query: `query ($id: ID) { workflowRunHistory(recordId: $id) { totalCount edges { node { id } } } }`,
    variables: () => ({ id: a.customer }),
    foreign: (data) => expect(data!.workflowRunHistory).toEqual({ totalCount: 0, edges: [] }),
  },
  'workflowRuns(workflowId)': { query: `query ($id: ID) { workflowRuns(workflowId: $id) { id } }`, variables: () => ({ id: a.workflow }), foreign: (data) => expect(data!.workflowRuns).toEqual([]) },
  'workflowRuns(recordId)': { query: `query ($id: ID) { workflowRuns(recordId: $id) { id } }`, variables: () => ({ id: a.customer }), foreign: (data) => expect(data!.workflowRuns).toEqual([]) },
  testWorkflow: {
    query: `query ($id: ID!, $recordId: ID) { testWorkflow(id: $id, recordId: $recordId) { steps { stepId } } }`,
    variables: () => ({ id: a.workflow, recordId: a.customer }),
    foreign: () => undefined, // NOT_FOUND: checked by the caller
  },
  'node(Workflow)': { query: NODE('... on Workflow { name }'), variables: () => ({ id: a.workflow }), foreign: (data) => expect(data!.node).toBeNull() },
  'node(WorkflowVersion)': { query: NODE('... on WorkflowVersion { number }'), variables: () => ({ id: a.version }), foreign: (data) => expect(data!.node).toBeNull() },
  'node(WorkflowRun)': { query: NODE('... on WorkflowRun { status }'), variables: () => ({ id: a.run }), foreign: (data) => expect(data!.node).toBeNull() },
};

describe('tenancy and permissions: nobody else changes or reads workspace A’s workflows', () => {
  it('another workspace: NOT_FOUND for every mutation on A’s rows, nothing of A read, A unchanged', async () => {
    const before = await admin.query(VIEW);
    for (const [name, attack] of Object.entries(attacks)) {
      const [query, variables] = attack();
      const result = await foreign.request(query, variables);
      if (succeedInOwnWorkspace.has(name)) expect(result.errors, name).toBeUndefined();
      else expect(result.errors?.[0]?.extensions?.code, `${name}: ${JSON.stringify(result.errors)}`).toBe('NOT_FOUND');
    }
    for (const [name, read] of Object.entries(reads)) {
      const result = await foreign.request(read.query, read.variables());
      if (name === 'testWorkflow') expect(result.errors?.[0]?.extensions?.code, name).toBe('NOT_FOUND');
      else {
        expect(result.errors, name).toBeUndefined();
        read.foreign(result.data);
      }
    }
    // The attacker's own workflow cannot be aimed at A's record either.
    const theirs = await publishedWorkflow(foreign, 'Theirs', WAITING);
    expect(await foreign.errorCode(RUN('id'), { id: theirs, recordId: a.customer })).toBe('NOT_FOUND');
    expect(await foreign.errorCode(`query ($id: ID) { workflowRuns(workflowId: $id, recordId: $id) { id } }`, { id: a.customer })).toBe('BAD_USER_INPUT');
    expect(await admin.query(VIEW)).toEqual(before);
  });

  it('MEMBER and READ_ONLY keys: FORBIDDEN for every mutation they do not hold and every read, A unchanged', async () => {
    const before = await admin.query(VIEW);
    for (const [role, client] of [['MEMBER', member], ['READ_ONLY', reader]] as const) {
      for (const [name, attack] of Object.entries(attacks)) {
        if (role === 'MEMBER' && memberMay.has(name)) continue;
        const [query, variables] = attack();
        expect(await client.errorCode(query, variables), `${role} ${name}`).toBe('FORBIDDEN');
      }
      for (const [name, read] of Object.entries(reads)) {
        expect(await client.errorCode(read.query, read.variables()), `${role} ${name}`).toBe('FORBIDDEN');
      }
    }
    expect(await admin.query(VIEW)).toEqual(before);
  });

  it('has an attack for every mutation the plugin adds', () => {
    const core = new Set(Object.keys(buildSchema().getMutationType()!.getFields()));
    const served = [...kit.schema.matchAll(/^type Mutation \{\n([\s\S]*?)\n\}/gm)][0]![1]!;
    // Less the host's own (setPluginEnabled, updatePluginSettings, …: the SDK's, tested there).
    const added = [...served.matchAll(/^ {2}(\w+)[(:]/gm)].map((m) => m[1]!).filter((name) => !core.has(name) && !/Plugin/.test(name));
    expect(added.length).toBeGreaterThan(0);
    expect(Object.keys(attacks).sort()).toEqual(added.sort());
  });

  it('has a read for every query the plugin adds', () => {
    const core = new Set(Object.keys(buildSchema().getQueryType()!.getFields()));
    const served = [...kit.schema.matchAll(/^type Query \{\n([\s\S]*?)\n\}/gm)][0]![1]!;
    // Less the host's own (plugins, pluginDeliveries, dashboardPanels: the SDK's, tested there).
    const added = [...served.matchAll(/^ {2}(\w+)[(:]/gm)].map((m) => m[1]!).filter((name) => !core.has(name) && !/Plugin|^dashboardPanels$/i.test(name));
    expect(added.length).toBeGreaterThan(0);
    const read = new Set(Object.keys(reads).map((name) => name.replace(/\(.*$/, '')));
    expect([...read].filter((name) => name !== 'node').sort()).toEqual(added.sort());
  });
});
