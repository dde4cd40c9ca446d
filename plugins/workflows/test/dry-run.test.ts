// The dry run (`testWorkflow`) says whether the trigger would fire for the record, and why not (its condition; an
// update's fields and from/to, tested on a sample change), takes a sample payload for event and webhook triggers, and
// describes an action with its description and resolved input. It writes nothing (workflows.test.ts).
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, startTwoWorkspaces } from './support.js';

const DRY_RUN = `query ($id: ID!, $recordId: ID, $sample: JSON) {
  testWorkflow(id: $id, recordId: $recordId, sample: $sample) { wouldTrigger trigger steps { stepId kind input effect branch } } }`;
const CUSTOMER = `mutation ($name: String!, $stage: LifecycleStage) { createCustomer(input: { name: $name, lifecycleStage: $stage }) { customer { id } } }`;

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  ({ kit, admin } = await startTwoWorkspaces('Dry run, other'));
});
afterAll(async () => {
  await kit?.close();
});

const draft = async (definition: unknown) => (await admin.query(CREATE, { name: 'Dry', definition })).createWorkflow.workflow.id as string;
const customer = async (name: string, stage: string) => (await admin.query(CUSTOMER, { name, stage })).createCustomer.customer.id as string;
const tag = { id: 'tag', kind: 'addTag', tag: 'seen' };

describe('the dry run and the trigger', () => {
  it("says the trigger would not fire when the record does not match its condition, and why", async () => {
    const id = await draft({ trigger: { kind: 'record', object: 'Customer', on: 'created', condition: { lifecycleStage: { eq: 'CUSTOMER' } } }, steps: [tag] });
    const lead = await customer('Lee Lead', 'LEAD');
    const buyer = await customer('Bo Buyer', 'CUSTOMER');
    expect((await admin.query(DRY_RUN, { id, recordId: lead })).testWorkflow).toEqual({
      wouldTrigger: false,
      trigger: expect.stringContaining("would not fire: the record does not match the trigger's condition"),
      steps: [],
    });
    const fires = (await admin.query(DRY_RUN, { id, recordId: buyer })).testWorkflow;
    expect(fires).toMatchObject({ wouldTrigger: true, trigger: expect.stringContaining('the record matches its condition') });
    expect(fires.steps.map((s: { stepId: string }) => s.stepId)).toEqual(['tag']);
  });

  it('a deleted trigger on inSegment: a trashed customer is in no segment, STATIC or FILTER (its record is read in the trash)', async () => {
    const sam = await customer('Sam Trashed', 'LEAD');
    const kept = (await admin.query(`mutation { createSegment(input: { name: "Sam's list", kind: STATIC }) { segment { id } } }`)).createSegment.segment.id as string;
    const found = (await admin.query(`mutation { createSegment(input: { name: "Sams", filter: { name: { startsWith: "Sam " } } }) { segment { id } } }`)).createSegment.segment.id as string;
    await admin.query(`mutation ($s: ID!, $c: [ID!]!) { addSegmentMembers(input: { segmentId: $s, customerIds: $c }) { added } }`, { s: kept, c: [sam] });
    const onDelete = (segment: string) => draft({ trigger: { kind: 'record', object: 'Customer', on: 'deleted', condition: { inSegment: segment } }, steps: [tag] });
    const [inKept, inFound] = [await onDelete(kept), await onDelete(found)];
    for (const id of [inKept, inFound]) expect((await admin.query(DRY_RUN, { id, recordId: sam })).testWorkflow.wouldTrigger).toBe(true);
    await admin.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: sam });
    for (const id of [inKept, inFound]) {
      expect((await admin.query(DRY_RUN, { id, recordId: sam })).testWorkflow).toMatchObject({ wouldTrigger: false, trigger: expect.stringContaining("does not match the trigger's condition") });
    }
  });

  it('segment steps on a trashed customer say what the step does: its kept membership goes (no segment.left), an addition fails', async () => {
    const kim = await customer('Kim Trashed', 'LEAD');
    const STATIC = `mutation ($n: String!) { createSegment(input: { name: $n, kind: STATIC }) { segment { id } } }`;
    const kept = (await admin.query(STATIC, { n: "Kim's list" })).createSegment.segment.id as string;
    const other = (await admin.query(STATIC, { n: 'Another list' })).createSegment.segment.id as string;
    await admin.query(`mutation ($s: ID!, $c: [ID!]!) { addSegmentMembers(input: { segmentId: $s, customerIds: $c }) { added } }`, { s: kept, c: [kim] });
    await admin.query(`mutation ($id: ID!) { deleteCustomer(input: { id: $id }) { deletedCustomerId } }`, { id: kim });
    const id = await draft({
      trigger: { kind: 'record', object: 'Customer', on: 'deleted' },
      steps: [
        { id: 'out', kind: 'removeFromSegment', segment: kept },
        { id: 'again', kind: 'removeFromSegment', segment: kept },
        { id: 'in', kind: 'addToSegment', segment: other },
      ],
    });
    const dry = (await admin.query(DRY_RUN, { id, recordId: kim })).testWorkflow;
    expect(dry.steps.map((s: { stepId: string; effect: string }) => [s.stepId, s.effect])).toEqual([
      ['out', `remove the customer from the segment "Kim's list": in the trash, their kept membership would go (no segment.left: they left it when trashed)`],
      ['again', `remove the customer from the segment "Kim's list": not a member, nothing changes`],
      ['in', 'add the customer to the segment "Another list": the customer is in the trash, the step would fail'],
    ]);
    // Nothing written: the kept row is there.
    expect(await kit.database.prisma.segmentMember.count({ where: { segment: { name: "Kim's list" } } })).toBe(1);
  });

  it("tests an update's fields and from/to on a sample change, and says what it assumed without one", async () => {
    const id = await draft({ trigger: { kind: 'record', object: 'Customer', on: 'updated', fields: ['lifecycleStage'], to: 'CUSTOMER' }, steps: [tag] });
    const record = await customer('Cy Changing', 'PROSPECT');
    const notThat = (await admin.query(DRY_RUN, { id, recordId: record, sample: { lifecycleStage: { from: 'LEAD', to: 'PROSPECT' } } })).testWorkflow;
    expect(notThat).toEqual({
      wouldTrigger: false,
      trigger: 'would not fire: it fires when lifecycleStage changes to "CUSTOMER"; the sample changes lifecycleStage from "LEAD" to "PROSPECT"',
      steps: [],
    });
    const otherField = (await admin.query(DRY_RUN, { id, recordId: record, sample: { name: { from: 'a', to: 'b' } } })).testWorkflow;
    expect(otherField.wouldTrigger).toBe(false);
    const that = (await admin.query(DRY_RUN, { id, recordId: record, sample: { lifecycleStage: { from: 'PROSPECT', to: 'CUSTOMER' } } })).testWorkflow;
    expect(that).toMatchObject({ wouldTrigger: true, trigger: expect.stringContaining('as the sample does') });
    expect(that.steps).toHaveLength(1);
    const assumed = (await admin.query(DRY_RUN, { id, recordId: record })).testWorkflow;
    expect(assumed).toMatchObject({ wouldTrigger: true, trigger: 'assumed: lifecycleStage changes to "CUSTOMER" (give sample to test a change); announced by customer.updated' });
    // A sample that is not a change is refused, naming it.
    expect((await admin.request(DRY_RUN, { id, recordId: record, sample: { lifecycleStage: 'CUSTOMER' } })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'sample.lifecycleStage',
    });
    expect((await admin.request(DRY_RUN, { id, recordId: record, sample: [1] })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sample' });
  });

  it('takes a sample payload for event and webhook triggers', async () => {
    const deals = await draft({
      trigger: { kind: 'event', eventType: 'deal.lost', object: 'Deal' },
      steps: [{ id: 'note', kind: 'createTask', title: 'Lost: {{trigger.event.payload.reason}} ({{trigger.event.type}})', customerId: '{{trigger.record.customerId}}' }],
    });
    const owner = await customer('Di Deal', 'CUSTOMER');
    const deal = (await admin.query(`mutation ($c: ID!) { createDeal(input: { customerId: $c, title: "Boiler" }) { deal { id } } }`, { c: owner })).createDeal.deal.id;
    const [step] = (await admin.query(DRY_RUN, { id: deals, recordId: deal, sample: { reason: 'Too pricey' } })).testWorkflow.steps;
    expect(step.input.title).toBe('Lost: Too pricey (deal.lost)');

    const hook = await draft({
      trigger: { kind: 'webhook' },
      steps: [{ id: 'mail', kind: 'sendEmail', to: '{{trigger.event.payload.email}}', subject: 'Order {{trigger.event.payload.order.number}}', text: 'Thanks' }],
    });
    const run = (await admin.query(DRY_RUN, { id: hook, sample: { email: 'ann@example.com', order: { number: 42 } } })).testWorkflow;
    expect(run.wouldTrigger).toBe(true);
    expect(run.steps[0]).toMatchObject({ input: { to: 'ann@example.com', subject: 'Order 42' }, effect: 'send an email to ann@example.com: "Order 42"' });
  });

  it("describes an action with its description and resolved input", async () => {
    const rival = (await admin.query(`mutation { createCompetitor(input: { name: "Brew Bros" }) { competitor { id } } }`)).createCompetitor.competitor.id;
    const id = await draft({
      trigger: { kind: 'manual', object: 'Competitor' },
      steps: [{ id: 'note', kind: 'callAction', action: 'competitor-feedback.recordFeedback', input: { competitorId: '{{trigger.record.id}}', note: 'Watch {{trigger.record.name}}' } }],
    });
    const [step] = (await admin.query(DRY_RUN, { id, recordId: rival })).testWorkflow.steps;
    expect(step.input.input).toEqual({ competitorId: expect.stringMatching(/^[0-9a-f-]{36}$/), note: 'Watch Brew Bros' });
    expect(step.effect).toBe(
      `call competitor-feedback.recordFeedback with ${JSON.stringify(step.input.input)} (Writes feedback on a competitor's record: a note (kind OTHER, sentiment NEUTRAL unless given), optionally prices, the customer and deal.)`,
    );
  });

  it("does not judge a value taken from an earlier step's output: a loop over its list, a record value built from it", async () => {
    const company = (await admin.query(`mutation { createCompany(input: { name: "Dry Co" }) { company { id } } }`)).createCompany.company.id;
    const id = await draft({
      trigger: { kind: 'manual', object: 'Company' },
      steps: [
        { id: 'promote', kind: 'updateRecord', relation: 'customers', values: { lifecycleStage: 'CUSTOMER' } },
        // The loop's `items` is the loop's own key, not its `do` step's.
        { id: 'each', kind: 'forEach', items: '{{steps.promote.output.ids}}', do: { id: 'task', kind: 'createTask', title: 'Promoted {{item}}' } },
        // A record value's key is `values.<field>`: known only when the run writes `promote`.
        { id: 'stage', kind: 'updateRecord', relation: 'customers', values: { lifecycleStage: 'LEAD{{steps.promote.output.count}}' } },
      ],
    });
    const steps = (await admin.query(DRY_RUN, { id, recordId: company })).testWorkflow.steps;
    expect(steps.map((s: { stepId: string; effect: string }) => [s.stepId, s.effect.startsWith('would fail')])).toEqual([
      ['promote', false],
      ['each', false],
      ['stage', false],
    ]);
  });
});
