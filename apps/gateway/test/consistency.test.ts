import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

// The concurrency rule for updates: commands on one record are serialised by a row lock, and `expectedUpdatedAt`
// makes an update conditional on the version the client read (CONFLICT otherwise). Concurrency on PostgreSQL (real
// parallel transactions); the precondition on both databases.

const STAGES = ['PROSPECT', 'LEAD', 'CUSTOMER', 'ADVOCATE', 'CHURNED'] as const;
const UPDATE_CUSTOMER = `mutation ($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id name lifecycleStage updatedAt } } }`;

/** The row id inside a global id (`base64("Customer:<uuid>")`). */
const rowIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

async function newCustomer(client: TestClient, name: string): Promise<{ id: string; updatedAt: string }> {
  const res = await client.query(`mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id updatedAt } } }`, { name });
  return res.createCustomer.customer;
}

describe.each(['pglite', 'postgres'] as const)('expectedUpdatedAt on %s', (database) => {
  let t: TestGateway;
  let client: TestClient;
  beforeAll(async () => {
    t = await startTestGateway({ database });
    client = t.workspace.client;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('applies an update made on the current version and refuses one made on a stale version, writing nothing', async () => {
    const { id, updatedAt } = await newCustomer(client, 'Versioned');
    const first = await client.query(UPDATE_CUSTOMER, { input: { id, name: 'First', expectedUpdatedAt: updatedAt } });
    expect(first.updateCustomer.customer.name).toBe('First');
    const stale = await client.request(UPDATE_CUSTOMER, { input: { id, name: 'Stale', lifecycleStage: 'LEAD', expectedUpdatedAt: updatedAt } });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'expectedUpdatedAt' });
    const now = await client.query(`query ($id: ID!) { customer(id: $id) { name lifecycleStage updatedAt stageHistory { toStage } } }`, { id });
    expect(now.customer).toMatchObject({ name: 'First', lifecycleStage: 'PROSPECT', updatedAt: first.updateCustomer.customer.updatedAt });
    expect(now.customer.stageHistory).toHaveLength(1);
  });

  it('offers the precondition on every object with update commands', async () => {
    const customer = await newCustomer(client, 'Owner of things');
    const { pipelines } = await client.query(`{ pipelines { id stages { id name } } }`);
    const stages = pipelines[0].stages as { id: string }[];
    const created = await client.query(
      `mutation ($c: ID!, $stage: ID!) {
        company: createCompany(input: { name: "Acme" }) { company { id updatedAt } }
        deal: createDeal(input: { title: "Deal", customerId: $c, stageId: $stage, amount: "10.00" }) { deal { id updatedAt } }
        ticket: createTicket(input: { customerId: $c, subject: "Help", priority: LOW }) { ticket { id updatedAt } }
        task: createTask(input: { title: "Call", customerId: $c }) { task { id updatedAt } }
        product: createProduct(input: { sku: "P-1", name: "Thing", unitPrice: "1.00" }) { product { id updatedAt } }
      }`,
      { c: customer.id, stage: stages[0]!.id },
    );
    const cases: [string, string, Record<string, unknown>, { id: string; updatedAt: string }][] = [
      ['updateCompany', 'UpdateCompanyInput', { name: 'Acme 2' }, created.company.company],
      ['updateDeal', 'UpdateDealInput', { title: 'Deal 2' }, created.deal.deal],
      ['moveDeal', 'MoveDealInput', { stageId: stages[1]!.id }, created.deal.deal],
      ['updateTicket', 'UpdateTicketInput', { subject: 'Help 2' }, created.ticket.ticket],
      ['updateTask', 'UpdateTaskInput', { title: 'Call 2' }, created.task.task],
      ['updateProduct', 'UpdateProductInput', { name: 'Thing 2' }, created.product.product],
    ];
    // Make every record newer than what was read, then update with the stale version.
    await client.query(`mutation ($id: ID!) { updateDeal(input: { id: $id, title: "Touched" }) { deal { id } } }`, { id: created.deal.deal.id });
    for (const [mutation, inputType, patch, record] of cases.filter(([m]) => m !== 'updateDeal' && m !== 'moveDeal')) {
      await client.query(`mutation ($input: ${inputType}!) { ${mutation}(input: $input) { __typename } }`, { input: { id: record.id, ...patch } });
    }
    for (const [mutation, inputType, patch, record] of cases) {
      const stale = await client.request(`mutation ($input: ${inputType}!) { ${mutation}(input: $input) { __typename } }`, {
        input: { id: record.id, ...patch, expectedUpdatedAt: record.updatedAt },
      });
      expect(stale.errors?.[0]?.extensions?.code, mutation).toBe('CONFLICT');
    }
    const deal = await client.query(`query ($id: ID!) { deal(id: $id) { title stage { id } } }`, { id: created.deal.deal.id });
    expect(deal.deal).toEqual({ title: 'Touched', stage: { id: stages[0]!.id } });
  });

  it('answers NOT_FOUND for a record of another workspace, whatever expectedUpdatedAt says', async () => {
    const { id, updatedAt } = await newCustomer(client, 'Mine');
    const other = await t.createWorkspace('Other');
    const res = await other.client.request(UPDATE_CUSTOMER, { input: { id, name: 'Theirs', expectedUpdatedAt: updatedAt } });
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('concurrent updates of one record (PostgreSQL)', () => {
  let t: TestGateway;
  let client: TestClient;
  beforeAll(async () => {
    t = await startTestGateway({ database: 'postgres' });
    client = t.workspace.client;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('50 concurrent updateCustomer: each applies whole, and the stage history is a chain', async () => {
    const { id } = await newCustomer(client, 'Contended');
    const stageOf = (i: number) => STAGES[(i % (STAGES.length - 1)) + 1]!;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.request(UPDATE_CUSTOMER, { input: { id, name: `Request ${i}`, lifecycleStage: stageOf(i) } })),
    );
    for (const result of results) expect(result.errors).toBeUndefined();

    const { customer } = await client.query(`query ($id: ID!) { customer(id: $id) { name lifecycleStage stageHistory { fromStage toStage } } }`, { id });
    // The final row is one request's, whole: its name and its stage.
    const winner = Number(/^Request (\d+)$/.exec(customer.name)![1]);
    expect(customer.lifecycleStage).toBe(stageOf(winner));

    const history = customer.stageHistory as { fromStage: string | null; toStage: string }[];
    expect(history[0]).toEqual({ fromStage: null, toStage: 'PROSPECT' });
    for (let i = 1; i < history.length; i++) expect(history[i]!.fromStage, `change ${i}`).toBe(history[i - 1]!.toStage);
    expect(history.at(-1)!.toStage).toBe(customer.lifecycleStage);
    // Consecutive requests alternate stages, so most of them change it; none is recorded from a stale stage.
    expect(history.length).toBeGreaterThan(25);

    // The events, in commit order, tell the same chain.
    const events = await t.database.prisma.event.findMany({ where: { subjectId: rowIdOf(id), type: 'customer.stage_changed' }, orderBy: { seq: 'asc' } });
    const payloads = events.map((event) => event.payload as { from: string | null; to: string });
    expect(payloads.map((p) => [p.from, p.to])).toEqual(history.map((h) => [h.fromStage, h.toStage]));
  });

  it('of concurrent updates made on one version, exactly one applies and the others get CONFLICT', async () => {
    const { id, updatedAt } = await newCustomer(client, 'Raced');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.request(UPDATE_CUSTOMER, { input: { id, name: `Racer ${i}`, expectedUpdatedAt: updatedAt } })),
    );
    const applied = results.filter((result) => !result.errors);
    expect(applied).toHaveLength(1);
    for (const result of results.filter((r) => r.errors)) expect(result.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('serialises concurrent moveDeal calls: each move starts from the stage the previous one left', async () => {
    const { id: customerId } = await newCustomer(client, 'Deal owner');
    const { pipelines } = await client.query(`{ pipelines { id stages { id isWon isLost } } }`);
    const open = (pipelines[0].stages as { id: string; isWon: boolean; isLost: boolean }[]).filter((s) => !s.isWon && !s.isLost);
    const created = await client.query(`mutation ($c: ID!, $s: ID!) { createDeal(input: { title: "Moving", customerId: $c, stageId: $s, amount: "5.00" }) { deal { id } } }`, {
      c: customerId,
      s: open[0]!.id,
    });
    const dealId = created.createDeal.deal.id;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.request(`mutation ($id: ID!, $s: ID!) { moveDeal(input: { id: $id, stageId: $s }) { deal { id } } }`, { id: dealId, s: open[(i % (open.length - 1)) + 1]!.id })),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    const moves = await t.database.prisma.event.findMany({ where: { subjectId: rowIdOf(dealId), type: 'deal.stage_changed' }, orderBy: { seq: 'asc' } });
    const chain = moves.map((event) => event.payload as { fromStageId: string; toStageId: string });
    expect(chain.length).toBeGreaterThan(0);
    expect(chain[0]!.fromStageId).toBe(rowIdOf(open[0]!.id));
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.fromStageId).toBe(chain[i - 1]!.toStageId);
  });
});
