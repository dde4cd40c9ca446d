// The demo workspace's workflows as the demo seeds them (core's demo data, then every plugin's seed, as the gateway
// does for the demo workspace): they pass publishing's checks as they are, and each runs end to end: NPS ≤ 6 → a task
// for the owner due in two days; a deal lost to a competitor → a note on the competitor's record and a webhook (once
// its URL is set: it is seeded disabled); a second purchase → loyalty's welcome bonus.
import { seedWorkspace } from '@crm/core';
import competitorFeedback from '@crm/plugin-competitor-feedback';
import crossSell from '@crm/plugin-cross-sell';
import loyalty from '@crm/plugin-loyalty';
import { rowId } from '@crm/plugin-sdk';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoWorkflows, testTransport, workflowsPlugin } from '../src/index.js';
import { ENABLE, finishedRuns, PUBLISH, startReceiver, UPDATE } from './support.js';

const WORKFLOWS = `{ workflows { id name enabled draft publishedVersion { number } } }`;
const CUSTOMER = `mutation ($name: String!, $ownerId: ID) { createCustomer(input: { name: $name, ownerId: $ownerId }) { customer { id } } }`;

interface Seeded {
  id: string;
  name: string;
  enabled: boolean;
  draft: Record<string, any>;
  publishedVersion: { number: number } | null;
}

let kit: PluginTestGateway;
let admin: TestClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let seeded: Seeded[];

beforeAll(async () => {
  receiver = await startReceiver();
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), loyalty, competitorFeedback, crossSell],
    webhooks: { allowPrivateTargets: true },
  });
  admin = kit.workspace.client;
  await seedWorkspace(kit.database.prisma, kit.workspace.workspaceId, { customers: 20, seed: 2026 });
  await kit.host.seed(kit.database.prisma, kit.workspace.workspaceId);
  seeded = (await admin.query(WORKFLOWS)).workflows;
});
afterAll(async () => {
  await kit?.close();
  await receiver?.close();
});

const named = (prefix: string) => seeded.find((w) => w.name.startsWith(prefix))!;

describe('the demo workspace’s workflows', () => {
  it('are seeded published, the webhook one disabled, and pass publishing’s checks as they are', async () => {
    const byName = (a: [string, ...unknown[]], b: [string, ...unknown[]]) => a[0].localeCompare(b[0]);
    expect(seeded.map((w): [string, boolean, number | undefined] => [w.name, w.enabled, w.publishedVersion?.number]).sort(byName)).toEqual(
      demoWorkflows.map((d): [string, boolean, number] => [d.name, d.enabled, 1]).sort(byName),
    );
    for (const workflow of seeded) {
      expect((await admin.query(PUBLISH, { id: workflow.id })).publishWorkflow.version.number).toBe(2);
    }
  });

  it('NPS 6 or less → a follow-up task for the customer’s owner, due in two days', async () => {
    const owner = (await admin.query(`mutation { createUser(input: { name: "Omar Owner", email: "omar@example.com" }) { user { id } } }`)).createUser.user.id;
    const unhappy = (await admin.query(CUSTOMER, { name: 'Dora Detractor', ownerId: owner })).createCustomer.customer.id;
    const passive = (await admin.query(CUSTOMER, { name: 'Pete Passive', ownerId: owner })).createCustomer.customer.id;
    const before = Date.now();
    const survey = `mutation ($c: ID!, $s: Int!) { recordSurveyResponse(input: { customerId: $c, kind: NPS, score: $s }) { surveyResponse { id } } }`;
    await admin.query(survey, { c: unhappy, s: 6 });
    await admin.query(survey, { c: passive, s: 7 });
    const [run] = await finishedRuns(kit, admin, named('Detractor').id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    const tasks = `query ($id: ID!) { customer(id: $id) { tasks(first: 5) { edges { node { title dueAt assignee { id } } } } } }`;
    const [task] = (await admin.query(tasks, { id: unhappy })).customer.tasks.edges.map((e: any) => e.node);
    expect(task).toMatchObject({ title: 'Call Dora Detractor: NPS 6', assignee: { id: owner } });
    const due = new Date(task.dueAt).getTime() - before;
    expect(Math.abs(due - 2 * 86_400_000)).toBeLessThan(60_000 + (Date.now() - before));
    expect((await admin.query(tasks, { id: passive })).customer.tasks.edges).toEqual([]);
  });

  it('a deal lost to a competitor → a note on the competitor’s record, then the webhook (once its URL is set)', async () => {
    const lost = named('Deal lost');
    const draft = structuredClone(lost.draft);
    draft.steps[1].url = receiver.url;
    await admin.query(UPDATE, { id: lost.id, definition: draft });
    await admin.query(PUBLISH, { id: lost.id });
    await admin.query(ENABLE, { id: lost.id, enabled: true });

    const rival = (await admin.query(`mutation { createCompetitor(input: { name: "Rival Roasters" }) { competitor { id } } }`)).createCompetitor.competitor.id;
    const buyer = (await admin.query(CUSTOMER, { name: 'Lena Lost' })).createCustomer.customer.id;
    const deal = (await admin.query(`mutation ($c: ID!) { createDeal(input: { customerId: $c, title: "Espresso bar", amount: "1200.00" }) { deal { id } } }`, { c: buyer }))
      .createDeal.deal.id;
    await admin.query(`mutation ($d: ID!, $r: ID!) { markDealLostToCompetitor(input: { dealId: $d, competitorId: $r, reason: "Cheaper machines" }) { link { id } } }`, {
      d: deal,
      r: rival,
    });
    const [run] = await finishedRuns(kit, admin, lost.id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    const rivalRow = rowId(rival, 'Competitor', 'competitorId');
    const notes = await kit.database.prisma.competitorFeedback.findMany({ where: { competitorId: rivalRow } });
    expect(notes).toEqual([
      expect.objectContaining({
        kind: 'OTHER',
        sentiment: 'NEGATIVE',
        note: 'Lost a deal of 1200.00 to Rival Roasters: Cheaper machines',
        dealId: rowId(deal, 'Deal', 'dealId'),
        customerId: rowId(buyer, 'Customer', 'customerId'),
      }),
    ]);
    const body = JSON.parse(receiver.received.at(-1)!.body);
    expect(body.data).toEqual({ competitor: 'Rival Roasters', dealId: rowId(deal, 'Deal', 'dealId'), amount: '1200.00', reason: 'Cheaper machines', feedbackId: notes[0]!.id });
  });

  it('a second purchase → enrolled in loyalty with the welcome bonus', async () => {
    const buyer = (await admin.query(CUSTOMER, { name: 'Sam Second' })).createCustomer.customer.id;
    const order = `mutation ($c: ID!) { recordOrder(input: { customerId: $c, lines: [{ sku: "TEA", quantity: 1, unitPrice: "10.00" }] }) { order { id } } }`;
    await admin.query(order, { c: buyer });
    await admin.query(order, { c: buyer });
    const [run] = await finishedRuns(kit, admin, named('Second purchase').id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    const view = (await admin.query(`query ($id: ID!) { customer(id: $id) { tags loyalty { transactions(first: 10) { edges { node { kind points reason } } } } } }`, { id: buyer })).customer;
    expect(view.tags).toContain('loyalty-member');
    expect(view.loyalty.transactions.edges.map((e: any) => e.node)).toContainEqual({ kind: 'ADJUST', points: 200, reason: 'Welcome bonus: second purchase' });
  });
});
