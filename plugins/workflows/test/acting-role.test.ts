// Every step that writes acts as the key that published its version (issue 17): `createTask`, `createDeal`,
// `logActivity`, the tag steps and `callAction` are bounded by the publisher's role and scopes like `createRecord` and
// `updateRecord` — refused at publish (FORBIDDEN naming the step's key), and failing the run (FORBIDDEN, nothing
// written) when the role lost the right since. Tenancy: another workspace's role and workflow of the same names are
// not touched by this workspace's changes. Actions run as the publisher too: within its "own records only" rule.
import competitorFeedback from '@crm/plugin-competitor-feedback';
import crossSell from '@crm/plugin-cross-sell';
import loyalty from '@crm/plugin-loyalty';
import { rowId } from '@crm/plugin-sdk';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, CUSTOMER, finishedRuns, PUBLISH, publishedWorkflow, RUN, switchAllOff } from './support.js';

const CREATE_ROLE = `mutation ($n: String!, $p: [ObjectPermissionInput!]!, $pp: [String!]) { createRole(input: { name: $n, permissions: $p, pluginPermissions: $pp }) { role { id } } }`;
const UPDATE_ROLE = `mutation ($id: ID!, $p: [ObjectPermissionInput!], $pp: [String!]) { updateRole(input: { id: $id, permissions: $p, pluginPermissions: $pp }) { role { id } } }`;
const CREATE_KEY = `mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`;
const VIEW = `query ($id: ID!) { customer(id: $id) { tags loyalty { points } } }`;
const TASKS = `{ tasks(first: 100) { edges { node { title } } } }`;
const DEALS = `{ deals(first: 100) { edges { node { title } } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), competitorFeedback, loyalty, crossSell] });
  admin = kit.workspace.client;
  other = (await kit.createWorkspace('Acting role B')).client;
}, 120_000);
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
});

/** Everything the clerk's steps need, or (`narrowed`) the same role without them. */
const clerkGrants = (narrowed: boolean) => ({
  p: [
    { object: 'Customer', read: true, create: false, update: true, readOnlyFields: narrowed ? ['tags'] : [] },
    { object: 'Task', read: true, create: !narrowed, update: true },
    { object: 'Deal', read: true, create: !narrowed, update: true },
    { object: 'Activity', read: true, create: true, update: false },
    // What awarding points by hand writes (the action runs in the role's view of the transaction).
    { object: 'LoyaltyAccount', read: true, create: true, update: true },
    { object: 'LoyaltyTransaction', read: true, create: true, update: false },
  ],
  pp: narrowed ? ['workflows.manage', 'workflows.run'] : ['workflows.manage', 'workflows.run', 'loyalty.adjustPoints'],
});

const keyFor = async (client: TestClient, input: object) => kit.client((await client.query(CREATE_KEY, { i: input })).createApiKey.secret);
const publishError = async (client: TestClient, definition: unknown) => {
  const id = (await client.query(CREATE, { name: 'Checked', definition })).createWorkflow.workflow.id;
  return (await client.request(PUBLISH, { id })).errors?.[0];
};
const manual = { kind: 'manual', object: 'Customer' };
const steps = {
  task: { id: 'task', kind: 'createTask', title: 'Call {{trigger.record.name}}' },
  tag: { id: 'tag', kind: 'addTag', tag: 'clerked' },
  deal: { id: 'deal', kind: 'createDeal', title: 'Deal for {{trigger.record.name}}', customerId: '{{trigger.record.id}}' },
  note: { id: 'note', kind: 'logActivity', type: 'NOTE', channel: 'PHONE', subject: 'Noted {{trigger.record.name}}' },
  points: { id: 'points', kind: 'callAction', action: 'loyalty.awardPoints', input: { customerId: '{{trigger.record.id}}', points: 10, reason: 'Clerked' } },
} as const;
const runOn = async (client: TestClient, id: string, name: string) => {
  const customer = (await client.query(CUSTOMER, { name })).createCustomer.customer.id as string;
  await client.query(RUN, { id, recordId: customer });
  return customer;
};

describe('command steps and actions act as the publishing key’s role', () => {
  it('refuses at publish what the role cannot write, runs what it can, and fails a run when the role lost the right (nothing written)', async () => {
    const roleId = (await admin.query(CREATE_ROLE, { n: 'Clerk', ...clerkGrants(false) })).createRole.role.id;
    const clerk = await keyFor(admin, { name: 'clerk', roleId });
    // Another workspace: a role of the same name with every right, and a workflow of the same name and steps.
    const otherRole = (await other.query(CREATE_ROLE, { n: 'Clerk', ...clerkGrants(false) })).createRole.role.id;
    const otherClerk = await keyFor(other, { name: 'clerk', roleId: otherRole });

    // One workflow per step kind, each published by the clerk: every one runs while the role has the rights.
    const published: Record<string, string> = {};
    for (const [name, step] of Object.entries(steps)) published[name] = await publishedWorkflow(clerk, `Clerk ${name}`, { trigger: manual, steps: [step] });
    const otherTask = await publishedWorkflow(otherClerk, 'Clerk task', { trigger: manual, steps: [steps.task] });
    const ada = (await admin.query(CUSTOMER, { name: 'Ada' })).createCustomer.customer.id as string;
    for (const id of Object.values(published)) await admin.query(RUN, { id, recordId: ada });
    for (const [name, id] of Object.entries(published)) {
      const [run] = await finishedRuns(kit, admin, id, 1);
      expect(run!.status, `${name}: ${run!.steps[0]!.error}`).toBe('SUCCEEDED');
    }
    const before = (await admin.query(VIEW, { id: ada })).customer;
    expect(before.tags).toEqual(['clerked']);
    expect(Number(before.loyalty.points)).toBe(10);

    // The role loses creating tasks and deals, writing tags, and loyalty's adjustPoints (which awardPoints needs).
    await admin.query(UPDATE_ROLE, { id: roleId, ...clerkGrants(true) });
    // Publishing now refuses each, naming the step's key.
    const refused = async (step: object) => (await publishError(clerk, { trigger: manual, steps: [step] }))?.extensions;
    expect(await refused(steps.task)).toMatchObject({ code: 'FORBIDDEN', field: 'definition.steps.0.kind' });
    expect(await refused(steps.tag)).toMatchObject({ code: 'FORBIDDEN', field: 'definition.steps.0.tag' });
    expect(await refused(steps.deal)).toMatchObject({ code: 'FORBIDDEN', field: 'definition.steps.0.kind' });
    expect(await refused(steps.points)).toMatchObject({ code: 'FORBIDDEN', field: 'definition.steps.0.action' });
    expect(await refused(steps.note)).toBeUndefined();
    // Inside a loop too.
    expect(await refused({ id: 'each', kind: 'forEach', items: '{{trigger.record.tags}}', do: { ...steps.task, title: '{{item}}' } })).toMatchObject({
      code: 'FORBIDDEN',
      field: 'definition.steps.0.do.kind',
    });

    // The versions published before fail on their step, FORBIDDEN, and write nothing.
    const bob = await runOn(admin, published.task!, 'Bob');
    for (const name of ['tag', 'deal', 'points', 'note'] as const) await admin.query(RUN, { id: published[name], recordId: bob });
    const failed = async (name: string) => (await finishedRuns(kit, admin, published[name]!, 2)).find((r) => r.recordId === bob)!;
    for (const name of ['task', 'tag', 'deal', 'points']) {
      const run = await failed(name);
      expect(run.status, name).toBe('FAILED');
      expect(run.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
    }
    expect((await failed('task')).steps[0]!.error).toContain('Task');
    expect((await failed('tag')).steps[0]!.error).toContain('tags');
    expect((await failed('deal')).steps[0]!.error).toContain('Deal');
    expect((await failed('points')).steps[0]!.error).toContain('loyalty permission "adjustPoints"');
    expect((await failed('note')).status).toBe('SUCCEEDED');
    const after = (await admin.query(VIEW, { id: bob })).customer;
    expect(after.tags).toEqual([]);
    expect(after.loyalty).toBeNull();
    const titles = (await admin.query(TASKS)).tasks.edges.map((e: any) => e.node.title);
    expect(titles).toContain('Call Ada');
    expect(titles).not.toContain('Call Bob');
    const deals = (await admin.query(DEALS)).deals.edges.map((e: any) => e.node.title);
    expect(deals).toContain('Deal for Ada');
    expect(deals).not.toContain('Deal for Bob');

    // The other workspace's same-named role kept its rights: its workflow still runs.
    await runOn(other, otherTask, 'Bob');
    expect((await finishedRuns(kit, other, otherTask, 1))[0]!.status).toBe('SUCCEEDED');
    expect((await other.query(TASKS)).tasks.edges.map((e: any) => e.node.title)).toEqual(['Call Bob']);
    await switchAllOff(kit, other);
  });
});

describe('record steps act within the publisher’s own records', () => {
  it('updateRecord on a related record the role does not own fails and writes nothing; on its own record it runs', async () => {
    const user = async (name: string, email: string) => (await admin.query(`mutation ($n: String!, $e: String!) { createUser(input: { name: $n, email: $e }) { user { id } } }`, { n: name, e: email })).createUser.user.id as string;
    const ulla = await user('Ulla Own', 'ulla@acting.test');
    const otto = await user('Otto Other', 'otto@acting.test');
    const customer = async (name: string, ownerId: string) =>
      (await admin.query(`mutation ($n: String!, $o: ID) { createCustomer(input: { name: $n, ownerId: $o }) { customer { id } } }`, { n: name, o: ownerId })).createCustomer.customer.id as string;
    const mine = await customer('Mina Mine', ulla);
    const theirs = await customer('Theo Theirs', otto);
    const task = async (title: string, customerId: string) =>
      (await admin.query(`mutation ($t: String!, $c: ID) { createTask(input: { title: $t, customerId: $c }) { task { id } } }`, { t: title, c: customerId })).createTask.task.id as string;
    const onMine = await task('About Mina', mine);
    const onTheirs = await task('About Theo', theirs);
    // A rep who reads every task but only their own customers; the key is Ulla's.
    const permissions = [
      { object: 'Customer', read: true, create: false, update: true, ownRecordsOnly: true },
      { object: 'Task', read: true, create: true, update: true },
    ];
    const roleId = (await admin.query(CREATE_ROLE, { n: 'Own rep', p: permissions, pp: ['workflows.manage', 'workflows.run'] })).createRole.role.id;
    const rep = await keyFor(admin, { name: 'own rep', roleId, userId: ulla });
    const flow = await publishedWorkflow(rep, 'Rep phone', {
      trigger: { kind: 'manual', object: 'Task' },
      steps: [{ id: 'phone', kind: 'updateRecord', relation: 'customer', values: { phone: '+1 555 0303' } }],
    });
    await admin.query(RUN, { id: flow, recordId: onMine });
    await admin.query(RUN, { id: flow, recordId: onTheirs });
    const runs = await finishedRuns(kit, admin, flow, 2);
    expect(runs.find((r) => r.recordId === onMine)!.status).toBe('SUCCEEDED');
    const refused = runs.find((r) => r.recordId === onTheirs)!;
    expect(refused.status).toBe('FAILED');
    expect(refused.steps[0]).toMatchObject({ status: 'FAILED' });
    const phone = async (id: string) => (await admin.query(`query ($id: ID!) { customer(id: $id) { phone } }`, { id })).customer.phone;
    expect(await phone(mine)).toBe('+1 555 0303');
    expect(await phone(theirs)).toBeNull();
  });
});

describe('actions act within the publisher’s own records', () => {
  it('makeOffer and recordFeedback on a customer the role cannot see fail NOT_FOUND and write nothing; on its own customer they run', async () => {
    const user = async (name: string, email: string) => (await admin.query(`mutation ($n: String!, $e: String!) { createUser(input: { name: $n, email: $e }) { user { id } } }`, { n: name, e: email })).createUser.user.id as string;
    const uma = await user('Uma Own', 'uma@acting-actions.test');
    const oli = await user('Oli Other', 'oli@acting-actions.test');
    for (const sku of ['A', 'B']) await admin.query(`mutation ($sku: String!) { createProduct(input: { sku: $sku, name: $sku, unitPrice: "5.00" }) { product { id } } }`, { sku });
    const customer = async (name: string, ownerId: string, skus: string[]) => {
      const id = (await admin.query(`mutation ($n: String!, $o: ID) { createCustomer(input: { name: $n, ownerId: $o }) { customer { id } } }`, { n: name, o: ownerId })).createCustomer.customer.id as string;
      const lines = skus.map((sku) => `{ sku: "${sku}", quantity: 1 }`).join(', ');
      await admin.query(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [${lines}] }) { order { id } } }`, { c: id });
      return id;
    };
    // Others bought A and B: a customer who bought only A is suggested B.
    await customer('Both one', oli, ['A', 'B']);
    await customer('Both two', oli, ['A', 'B']);
    const mine = await customer('Mia Mine', uma, ['A']);
    const theirs = await customer('Tom Theirs', oli, ['A']);
    await kit.settled();
    const competitor = (await admin.query(`mutation { createCompetitor(input: { name: "Rival Co" }) { competitor { id } } }`)).createCompetitor.competitor.id as string;

    const permissions = [
      { object: 'Customer', read: true, create: false, update: true, ownRecordsOnly: true },
      { object: 'Product', read: true, create: false, update: false },
      { object: 'CrossSellOffer', read: true, create: true, update: false },
      { object: 'Competitor', read: true, create: false, update: false },
    ];
    const pp = ['workflows.manage', 'workflows.run', 'cross-sell.read', 'cross-sell.offer', 'competitor-feedback.read', 'competitor-feedback.write'];
    const roleId = (await admin.query(CREATE_ROLE, { n: 'Own seller', p: permissions, pp })).createRole.role.id;
    const rep = await keyFor(admin, { name: 'own seller', roleId, userId: uma });
    // By hand the rep cannot offer to the other rep's customer.
    const byHand = await rep.request(`mutation ($c: ID!) { markSuggestionOffered(input: { customerId: $c, sku: "B" }) { offer { id } } }`, { c: theirs });
    expect(byHand.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });

    const call = (id: string, action: string, input: Record<string, unknown>) => ({ trigger: manual, steps: [{ id, kind: 'callAction', action, input }] });
    const offer = await publishedWorkflow(rep, 'Seller offers', call('offer', 'cross-sell.makeOffer', { customerId: '{{trigger.record.id}}', sku: 'B' }));
    const feedback = await publishedWorkflow(
      rep,
      'Seller feedback',
      call('feedback', 'competitor-feedback.recordFeedback', { competitorId: rowId(competitor, 'Competitor', 'competitorId'), customerId: '{{trigger.record.id}}', note: 'Heard of Rival' }),
    );
    for (const flow of [offer, feedback]) for (const recordId of [theirs, mine]) await admin.query(RUN, { id: flow, recordId });
    for (const flow of [offer, feedback]) {
      const runs = await finishedRuns(kit, admin, flow, 2);
      const onTheirs = runs.find((r) => r.recordId === theirs)!;
      expect(onTheirs.status).toBe('FAILED');
      expect(onTheirs.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
      expect(onTheirs.steps[0]!.error).toMatch(/Customer/);
      const onMine = runs.find((r) => r.recordId === mine)!;
      expect(onMine.status, onMine.steps[0]!.error ?? '').toBe('SUCCEEDED');
    }
    const offers = async (c: string) => (await admin.query(`query ($c: ID!) { crossSellOffers(filter: { customerId: { eq: $c } }) { totalCount } }`, { c })).crossSellOffers.totalCount;
    expect(await offers(theirs)).toBe(0);
    expect(await offers(mine)).toBe(1);
    const notes = await admin.query(`query ($id: ID!) { competitorInsights(competitorId: $id, from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { sentiment { neutral } } }`, { id: competitor });
    expect(notes.competitorInsights.sentiment.neutral).toBe(1);
  });
});

describe('a version keeps the publishing key’s scopes', () => {
  it('a key scoped to fewer objects than its role publishes no step beyond them, and its runs act within them', async () => {
    // An ADMIN key scoped to customers and tasks (and the workflow permissions).
    const scoped = await keyFor(admin, { name: 'scoped', role: 'ADMIN', scopes: ['customers:write', 'tasks:write', 'workflows.manage', 'workflows.run'] });
    const refused = async (step: object) => (await publishError(scoped, { trigger: manual, steps: [step] }))?.extensions;
    expect(await refused(steps.deal)).toMatchObject({ code: 'FORBIDDEN', field: 'definition.steps.0.kind' });
    expect(await refused(steps.note)).toMatchObject({ code: 'FORBIDDEN', field: 'definition.steps.0.kind' });
    expect(await refused(steps.points)).toMatchObject({ code: 'FORBIDDEN', field: 'definition.steps.0.action' });
    expect(await refused({ id: 'c', kind: 'createRecord', object: 'Ticket', values: { subject: 'x' } })).toMatchObject({ code: 'FORBIDDEN', field: 'definition.steps.0.object' });
    expect(await refused(steps.tag)).toBeUndefined();

    // A task on a deal: Task is in scope, deals are not — the run reads the deal as the scoped key would, and finds none.
    const onDeal = { trigger: { kind: 'manual', object: 'Deal' }, steps: [{ id: 'task', kind: 'createTask', title: 'Follow {{trigger.record.title}}', dealId: '{{trigger.record.id}}', customerId: '{{trigger.record.customerId}}' }] };
    const scopedFlow = await publishedWorkflow(scoped, 'Scoped follow-up', onDeal);
    const unscopedFlow = await publishedWorkflow(admin, 'Unscoped follow-up', { ...onDeal, steps: [{ ...onDeal.steps[0], title: 'Also {{trigger.record.title}}' }] });
    const customer = (await admin.query(CUSTOMER, { name: 'Dana' })).createCustomer.customer.id;
    const deal = (await admin.query(`mutation ($c: ID!) { createDeal(input: { title: "Renewal", customerId: $c }) { deal { id } } }`, { c: customer })).createDeal.deal.id;
    await admin.query(RUN, { id: scopedFlow, recordId: deal });
    await admin.query(RUN, { id: unscopedFlow, recordId: deal });
    const [run] = await finishedRuns(kit, admin, scopedFlow, 1);
    expect(run).toMatchObject({ status: 'FAILED' });
    expect(run!.steps[0]!.error).toMatch(/deal/i);
    expect((await finishedRuns(kit, admin, unscopedFlow, 1))[0]!.status).toBe('SUCCEEDED');
    const titles = (await admin.query(TASKS)).tasks.edges.map((e: any) => e.node.title);
    expect(titles).toContain('Also Renewal');
    expect(titles).not.toContain('Follow Renewal');
  });
});
