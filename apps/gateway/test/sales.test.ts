import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const DEAL_FIELDS = `id title amount currency status closedAt lostReason stageChangedAt
  customer { name } company { name } pipeline { name } stage { name }`;
const CREATE_DEAL = `mutation ($input: CreateDealInput!) { createDeal(input: $input) { deal { ${DEAL_FIELDS} } } }`;
const MOVE_DEAL = `mutation ($input: MoveDealInput!) { moveDeal(input: $input) { deal { ${DEAL_FIELDS} } } }`;
const CONVERT = `mutation ($input: ConvertLeadInput!) {
  convertLead(input: $input) {
    customer { id lifecycleStage stageHistory { fromStage toStage } deals { totalCount } }
    deal { title amount status stage { name } company { name } customer { name } }
  }
}`;
const PIPELINES = `{ pipelines { id name isDefault openValue weightedValue stages { id name position probability isWon isLost } } }`;
const CREATE_PIPELINE = `mutation ($input: CreatePipelineInput!) { createPipeline(input: $input) { pipeline { id name isDefault stages { id name position } } } }`;

type Stage = { id: string; name: string; position: number; probability: number; isWon: boolean; isLost: boolean };
type Pipeline = { id: string; name: string; isDefault: boolean; openValue: string; weightedValue: string; stages: Stage[] };

async function pipelines(client: TestClient): Promise<Pipeline[]> {
  return (await client.query(PIPELINES)).pipelines;
}

async function stageIds(client: TestClient): Promise<Record<string, string>> {
  const [sales] = await pipelines(client);
  return Object.fromEntries(sales!.stages.map((s) => [s.name, s.id]));
}

async function newCustomer(client: TestClient, input: Record<string, unknown>): Promise<string> {
  const res = await client.query(`mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input });
  return res.createCustomer.customer.id;
}

/** The event types recorded for a row, in order (read from the outbox table). */
async function eventTypes(id: string): Promise<string[]> {
  const rowId = Buffer.from(id, 'base64').toString('utf8').split(':')[1];
  const events = await t.database.prisma.event.findMany({ where: { subjectId: rowId }, orderBy: { seq: 'asc' } });
  return events.map((e) => e.type);
}

describe('pipelines', () => {
  it('starts every workspace with the default pipeline and its 6 stages in order', async () => {
    const [sales, ...others] = await pipelines(t.workspace.client);
    expect(others).toEqual([]);
    expect(sales).toMatchObject({ name: 'Sales', isDefault: true, openValue: '0.00', weightedValue: '0.00' });
    expect(sales!.stages.map(({ name, position, probability, isWon, isLost }) => ({ name, position, probability, isWon, isLost }))).toEqual([
      { name: 'Qualification', position: 0, probability: 10, isWon: false, isLost: false },
      { name: 'Needs analysis', position: 1, probability: 25, isWon: false, isLost: false },
      { name: 'Proposal', position: 2, probability: 50, isWon: false, isLost: false },
      { name: 'Negotiation', position: 3, probability: 75, isWon: false, isLost: false },
      { name: 'Won', position: 4, probability: 100, isWon: true, isLost: false },
      { name: 'Lost', position: 5, probability: 0, isWon: false, isLost: true },
    ]);
  });

  it('creates a pipeline with its stages in the given order, and validates them', async () => {
    const ws = await t.createWorkspace('Pipelines');
    const { createPipeline } = await ws.client.query(CREATE_PIPELINE, {
      input: {
        name: 'Renewals',
        stages: [
          { name: 'Due', probability: 60 },
          { name: 'Renewed', probability: 100, isWon: true },
          { name: 'Cancelled', probability: 0, isLost: true },
          { name: 'Quoted', probability: 80 },
        ],
      },
    });
    expect(createPipeline.pipeline).toMatchObject({ name: 'Renewals', isDefault: false });
    expect(createPipeline.pipeline.stages.map((s: Stage) => [s.position, s.name])).toEqual([[0, 'Due'], [1, 'Renewed'], [2, 'Cancelled'], [3, 'Quoted']]);
    expect((await pipelines(ws.client)).map((p) => p.name)).toEqual(['Sales', 'Renewals']);
    expect(await eventTypes(createPipeline.pipeline.id)).toEqual(['pipeline.created']);

    const field = async (stages: unknown[], name = 'Other') =>
      (await ws.client.request(CREATE_PIPELINE, { input: { name, stages } })).errors?.[0]?.extensions;
    const won = { name: 'Won', probability: 100, isWon: true };
    const lost = { name: 'Lost', probability: 0, isLost: true };
    expect(await field([won])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'stages' });
    expect(await field([won, { ...lost, isLost: false }])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'stages' });
    expect(await field([won, { ...won, name: 'Won again' }, lost])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'stages' });
    expect(await field([won, lost, { name: ' won ', probability: 5 }])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'stages.2.name' });
    expect(await field([{ name: 'Open', probability: 101 }, won, lost])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'stages.0.probability' });
    expect(await field([won, lost], 'renewals')).toMatchObject({ code: 'CONFLICT', field: 'name' });
    expect(await pipelines(ws.client)).toHaveLength(2);
  });

  it('renames a pipeline and updates a stage', async () => {
    const ws = await t.createWorkspace('Rename');
    const [sales] = await pipelines(ws.client);
    const renamed = await ws.client.query(`mutation ($id: ID!) { renamePipeline(input: { id: $id, name: "New business" }) { pipeline { name } } }`, { id: sales!.id });
    expect(renamed.renamePipeline.pipeline.name).toBe('New business');
    const stage = sales!.stages[2]!;
    const updated = await ws.client.query(`mutation ($id: ID!) { updateStage(input: { id: $id, name: "Quote", probability: 40 }) { stage { name probability position } } }`, { id: stage.id });
    expect(updated.updateStage.stage).toEqual({ name: 'Quote', probability: 40, position: 2 });
    const clash = await ws.client.request(`mutation ($id: ID!) { updateStage(input: { id: $id, name: "won" }) { stage { name } } }`, { id: stage.id });
    expect(clash.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
  });
});

describe('deals', () => {
  it('creates a deal with the defaults: default pipeline, first stage, the customer’s company', async () => {
    const { client } = t.workspace;
    const company = await client.query(`mutation { createCompany(input: { name: "Initech" }) { company { id } } }`);
    const customerId = await newCustomer(client, { name: 'Peter Gibbons', companyId: company.createCompany.company.id });
    const { createDeal } = await client.query(CREATE_DEAL, { input: { title: 'TPS licences', customerId, amount: '1200.5' } });
    expect(createDeal.deal).toMatchObject({
      title: 'TPS licences',
      amount: '1200.50',
      currency: 'USD',
      status: 'OPEN',
      closedAt: null,
      customer: { name: 'Peter Gibbons' },
      company: { name: 'Initech' },
      pipeline: { name: 'Sales' },
      stage: { name: 'Qualification' },
    });
    expect(await eventTypes(createDeal.deal.id)).toEqual(['deal.created']);

    const noCompany = await client.query(CREATE_DEAL, { input: { title: 'Solo', customerId, companyId: null, currency: 'eur' } });
    expect(noCompany.createDeal.deal).toMatchObject({ company: null, amount: '0.00', currency: 'EUR' });

    const won = await client.query(CREATE_DEAL, { input: { title: 'Signed', customerId, amount: '10', stageId: (await stageIds(client)).Won } });
    expect(won.createDeal.deal).toMatchObject({ status: 'WON', stage: { name: 'Won' } });
    expect(won.createDeal.deal.closedAt).not.toBeNull();
    expect(await eventTypes(won.createDeal.deal.id)).toEqual(['deal.created', 'deal.won']);

    const bad = await client.request(CREATE_DEAL, { input: { title: 'X', customerId, amount: '12.345' } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    const missing = await client.request(CREATE_DEAL, { input: { title: 'X', customerId: company.createCompany.company.id } });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerId' });
  });

  it('moves a deal through open, won and lost stages, requires a reason to lose, and reopens', async () => {
    const { client } = t.workspace;
    const stages = await stageIds(client);
    const customerId = await newCustomer(client, { name: 'Samir' });
    const { createDeal } = await client.query(CREATE_DEAL, { input: { title: 'Upgrade', customerId, amount: '500' } });
    const id = createDeal.deal.id;
    const move = (stageId: string | undefined, lostReason?: string) => client.request(MOVE_DEAL, { input: { id, stageId, lostReason } });

    const proposal = await move(stages.Proposal);
    expect(proposal.data?.moveDeal.deal).toMatchObject({ status: 'OPEN', closedAt: null, stage: { name: 'Proposal' } });
    expect(Date.parse(proposal.data?.moveDeal.deal.stageChangedAt)).toBeGreaterThan(Date.parse(createDeal.deal.stageChangedAt));

    const won = await move(stages.Won);
    expect(won.data?.moveDeal.deal).toMatchObject({ status: 'WON', stage: { name: 'Won' }, lostReason: null });
    expect(won.data?.moveDeal.deal.closedAt).not.toBeNull();

    const reopened = await move(stages.Negotiation);
    expect(reopened.data?.moveDeal.deal).toMatchObject({ status: 'OPEN', closedAt: null, stage: { name: 'Negotiation' } });

    const noReason = await move(stages.Lost);
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lostReason' });
    const reasonForOpen = await move(stages.Proposal, 'Too expensive');
    expect(reasonForOpen.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lostReason' });

    const lost = await move(stages.Lost, 'Went with a competitor');
    expect(lost.data?.moveDeal.deal).toMatchObject({ status: 'LOST', lostReason: 'Went with a competitor', stage: { name: 'Lost' } });
    expect(lost.data?.moveDeal.deal.closedAt).not.toBeNull();

    const again = await move(stages.Qualification);
    expect(again.data?.moveDeal.deal).toMatchObject({ status: 'OPEN', closedAt: null, lostReason: null, stage: { name: 'Qualification' } });

    const before = await eventTypes(id);
    const same = await move(stages.Qualification);
    expect(same.data?.moveDeal.deal.stageChangedAt).toBe(again.data?.moveDeal.deal.stageChangedAt);
    expect(await eventTypes(id)).toEqual(before);
    expect(before).toEqual([
      'deal.created',
      'deal.stage_changed',
      'deal.stage_changed', 'deal.won',
      'deal.stage_changed',
      'deal.stage_changed', 'deal.lost',
      'deal.stage_changed',
    ]);
  });

  it('rejects a stage of another pipeline', async () => {
    const ws = await t.createWorkspace('Two pipelines');
    const [sales] = await pipelines(ws.client);
    const { createPipeline } = await ws.client.query(CREATE_PIPELINE, {
      input: { name: 'Partners', stages: [{ name: 'Intro', probability: 20 }, { name: 'Signed', probability: 100, isWon: true }, { name: 'Dropped', probability: 0, isLost: true }] },
    });
    const partners = createPipeline.pipeline;
    const customerId = await newCustomer(ws.client, { name: 'Joanna' });

    const explicit = await ws.client.request(CREATE_DEAL, { input: { title: 'X', customerId, pipelineId: sales!.id, stageId: partners.stages[0].id } });
    expect(explicit.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'stageId' });
    const defaulted = await ws.client.request(CREATE_DEAL, { input: { title: 'X', customerId, stageId: partners.stages[0].id } });
    expect(defaulted.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'stageId' });

    const inPartners = await ws.client.query(CREATE_DEAL, { input: { title: 'Reseller', customerId, pipelineId: partners.id } });
    expect(inPartners.createDeal.deal).toMatchObject({ pipeline: { name: 'Partners' }, stage: { name: 'Intro' } });
    const crossMove = await ws.client.request(MOVE_DEAL, { input: { id: inPartners.createDeal.deal.id, stageId: sales!.stages[1]!.id } });
    expect(crossMove.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'stageId' });

    // Another workspace's rows are not found at all.
    const other = t.workspace.client;
    const foreign = await other.request(MOVE_DEAL, { input: { id: inPartners.createDeal.deal.id, stageId: (await stageIds(other)).Proposal } });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const foreignCustomer = await other.request(CREATE_DEAL, { input: { title: 'X', customerId } });
    expect(foreignCustomer.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
    expect((await ws.client.query(`{ deals { totalCount } }`)).deals.totalCount).toBe(1);
  });

  it('updates and deletes a deal', async () => {
    const { client } = t.workspace;
    const customerId = await newCustomer(client, { name: 'Milton' });
    const { createDeal } = await client.query(CREATE_DEAL, { input: { title: 'Stapler', customerId, amount: '20' } });
    const id = createDeal.deal.id;
    const updated = await client.query(
      `mutation ($input: UpdateDealInput!) { updateDeal(input: $input) { deal { title amount expectedCloseAt stage { name } } } }`,
      { input: { id, title: 'Red stapler', amount: '25.00', expectedCloseAt: '2026-12-01T00:00:00Z' } },
    );
    expect(updated.updateDeal.deal).toEqual({ title: 'Red stapler', amount: '25.00', expectedCloseAt: '2026-12-01T00:00:00.000Z', stage: { name: 'Qualification' } });
    const cleared = await client.request(`mutation ($input: UpdateDealInput!) { updateDeal(input: $input) { deal { title } } }`, { input: { id, title: null } });
    expect(cleared.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'title' });

    const deleted = await client.query(`mutation ($id: ID!) { deleteDeal(input: { id: $id }) { deletedDealId } }`, { id });
    expect(deleted.deleteDeal.deletedDealId).toBe(id);
    expect((await client.query(`query ($id: ID!) { deal(id: $id) { id } }`, { id })).deal).toBeNull();
    expect(await eventTypes(id)).toEqual(['deal.created', 'deal.updated', 'deal.trashed']);
  });

  it('computes openValue and weightedValue from the open deals only', async () => {
    const ws = await t.createWorkspace('Forecast');
    const stages = await stageIds(ws.client);
    const customerId = await newCustomer(ws.client, { name: 'Bill Lumbergh' });
    const deals: [string, string, string?][] = [
      ['1000.00', 'Qualification'], // 10% → 100.00
      ['2000.00', 'Proposal'], // 50% → 1000.00
      ['333.33', 'Needs analysis'], // 25% → 83.3325
      ['400.00', 'Needs analysis'], // 25% → 100.00
      ['5000.00', 'Won'], // closed: not counted
      ['7000.00', 'Lost', 'No budget'], // closed: not counted
    ];
    for (const [amount, stage, lostReason] of deals) {
      await ws.client.query(CREATE_DEAL, { input: { title: `${stage} deal`, customerId, amount, stageId: stages[stage], lostReason } });
    }
    const [sales] = await pipelines(ws.client);
    expect(sales!.openValue).toBe('3733.33');
    expect(sales!.weightedValue).toBe('1283.33'); // 1283.3325 rounded to cents

    // One joined SELECT for the pipeline and its stages, then one aggregate per field, however many deals there are.
    const query = `{ pipelines { openValue weightedValue stages { name } } }`;
    const few = await t.sql.during(() => ws.client.query(query));
    for (let i = 0; i < 5; i++) await ws.client.query(CREATE_DEAL, { input: { title: `More ${i}`, customerId, amount: '1.00', stageId: stages.Negotiation } });
    const many = await t.sql.during(() => ws.client.query(query));
    expect(many.length).toBe(few.length);
    expect(few.length).toBeLessThanOrEqual(3);
    const [after] = await pipelines(ws.client);
    expect(after).toMatchObject({ openValue: '3738.33', weightedValue: '1287.08' }); // + 5 × 0.75 = 1287.0825
  });

  it('refuses writes from a READ_ONLY key with FORBIDDEN', async () => {
    const customerId = await newCustomer(t.workspace.client, { name: 'Read only target' });
    const readOnly = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    const before = (await readOnly.query(`{ deals { totalCount } }`)).deals.totalCount;
    expect(await readOnly.errorCode(CREATE_DEAL, { input: { title: 'Nope', customerId } })).toBe('FORBIDDEN');
    expect(await readOnly.errorCode(CONVERT, { input: { customerId } })).toBe('FORBIDDEN');
    expect((await readOnly.query(`{ deals { totalCount } }`)).deals.totalCount).toBe(before);
  });
});

describe('lead conversion', () => {
  it('converts a prospect to a customer without a deal', async () => {
    const { client } = t.workspace;
    const customerId = await newCustomer(client, { name: 'Lawrence' });
    const { convertLead } = await client.query(CONVERT, { input: { customerId } });
    expect(convertLead).toEqual({
      customer: {
        id: customerId,
        lifecycleStage: 'CUSTOMER',
        stageHistory: [{ fromStage: null, toStage: 'PROSPECT' }, { fromStage: 'PROSPECT', toStage: 'CUSTOMER' }],
        deals: { totalCount: 0 },
      },
      deal: null,
    });
    expect(await eventTypes(customerId)).toEqual(['customer.created', 'customer.stage_changed', 'customer.updated', 'customer.stage_changed', 'lead.converted']);

    const again = await client.request(CONVERT, { input: { customerId } });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerId' });
    expect(again.errors?.[0]?.message).toContain('already CUSTOMER');
  });

  it('qualifies a prospect as a lead, then converts the lead with a deal', async () => {
    const { client } = t.workspace;
    const company = await client.query(`mutation { createCompany(input: { name: "Chotchkie's" }) { company { id } } }`);
    const customerId = await newCustomer(client, { name: 'Joanna', companyId: company.createCompany.company.id });
    const lead = await client.query(CONVERT, { input: { customerId, toStage: 'LEAD' } });
    expect(lead.convertLead.customer.lifecycleStage).toBe('LEAD');
    const sameStage = await client.request(CONVERT, { input: { customerId, toStage: 'LEAD' } });
    expect(sameStage.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toStage' });
    const advocate = await client.request(CONVERT, { input: { customerId, toStage: 'ADVOCATE' } });
    expect(advocate.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toStage' });

    const { convertLead } = await client.query(CONVERT, {
      input: { customerId, deal: { title: 'Flair buttons', amount: '150', stageId: (await stageIds(client)).Proposal } },
    });
    expect(convertLead.customer).toMatchObject({ lifecycleStage: 'CUSTOMER', deals: { totalCount: 1 } });
    expect(convertLead.customer.stageHistory.map((h: { toStage: string }) => h.toStage)).toEqual(['PROSPECT', 'LEAD', 'CUSTOMER']);
    expect(convertLead.deal).toEqual({
      title: 'Flair buttons',
      amount: '150.00',
      status: 'OPEN',
      stage: { name: 'Proposal' },
      company: { name: "Chotchkie's" },
      customer: { name: 'Joanna' },
    });
  });

  it('rolls the stage change back when the deal cannot be created', async () => {
    const ws = await t.createWorkspace('Rollback');
    const [sales] = await pipelines(ws.client);
    const { createPipeline } = await ws.client.query(CREATE_PIPELINE, {
      input: { name: 'Other', stages: [{ name: 'Open', probability: 50 }, { name: 'Won', probability: 100, isWon: true }, { name: 'Lost', probability: 0, isLost: true }] },
    });
    const customerId = await newCustomer(ws.client, { name: 'Tom Smykowski' });
    const history = `query ($id: ID!) { customer(id: $id) { lifecycleStage stageHistory { toStage } deals { totalCount } } }`;
    const before = await ws.client.query(history, { id: customerId });

    // Fails inside the transaction, after the customer row was changed.
    const foreignStage = await ws.client.request(CONVERT, {
      input: { customerId, deal: { title: 'X', pipelineId: sales!.id, stageId: createPipeline.pipeline.stages[0].id } },
    });
    expect(foreignStage.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deal.stageId' });
    // Fails validation before anything runs.
    const badAmount = await ws.client.request(CONVERT, { input: { customerId, deal: { title: 'X', amount: '-5' } } });
    expect(badAmount.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deal.amount' });

    expect(await ws.client.query(history, { id: customerId })).toEqual(before);
    expect(before.customer).toEqual({ lifecycleStage: 'PROSPECT', stageHistory: [{ toStage: 'PROSPECT' }], deals: { totalCount: 0 } });
    expect(await eventTypes(customerId)).toEqual(['customer.created', 'customer.stage_changed']);
  });
});
