import { buildSchema, globalId, rowId } from '@crm/graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

// Workspace B attacks workspace A through every entry point: node, by-id fields, connections, filters, search and
// every mutation. A's data must be invisible to B, and unchanged afterwards. The last test fails when a mutation
// is added to the schema without an attack here.

let t: TestGateway;
let victim: TestClient;
let attacker: TestClient;
/** Global ids of one of everything in workspace A. */
const a: Record<string, string> = {};
/** A's custom role (not a Node: roles are listed by `roles`, not loaded by `node`). */
let victimRoleId = '';
/** A's custom field definition (its id is a plain uuid, not a node's global id). */
let victimCustomField: string;
let victimCustomObject: string;
/** Rows of workspace B's own (merge attacks name one of each side). */
const b: Record<string, string> = {};

async function seedVictim(c: TestClient) {
  const q = c.query.bind(c);
  a.user = (await q(`mutation { createUser(input: { name: "Vic Owner", email: "owner@victim.test" }) { user { id } } }`)).createUser.user.id;
  a.apiKey = (await q(`mutation { createApiKey(input: { name: "victim key", role: MEMBER }) { apiKey { id } } }`)).createApiKey.apiKey.id;
  a.company = (await q(`mutation ($o: ID) { createCompany(input: { name: "Victim Corp", domain: "victim.test", ownerId: $o }) { company { id } } }`, { o: a.user })).createCompany.company.id;
  a.customer = (
    await q(`mutation ($c: ID, $o: ID) { createCustomer(input: { name: "Vera Victim", email: "vera@victim.test", companyId: $c, ownerId: $o, tags: ["secret"] }) { customer { id } } }`, {
      c: a.company,
      o: a.user,
    })
  ).createCustomer.customer.id;
  const pipelines = (await q(`{ pipelines { id stages { id isLost } } }`)).pipelines;
  a.pipeline = pipelines[0].id;
  a.stage = pipelines[0].stages[0].id;
  a.lostStage = pipelines[0].stages.find((s: { isLost: boolean }) => s.isLost).id;
  a.deal = (await q(`mutation ($c: ID!) { createDeal(input: { customerId: $c, title: "Victim deal", amount: "5000.00" }) { deal { id } } }`, { c: a.customer })).createDeal.deal.id;
  a.ticket = (await q(`mutation ($c: ID!) { createTicket(input: { customerId: $c, subject: "Victim ticket", priority: HIGH }) { ticket { id } } }`, { c: a.customer })).createTicket.ticket.id;
  a.activity = (await q(`mutation ($c: ID!) { logActivity(input: { customerId: $c, type: CALL, channel: PHONE, subject: "Victim call" }) { activity { id } } }`, { c: a.customer })).logActivity.activity.id;
  a.task = (await q(`mutation ($c: ID!) { createTask(input: { customerId: $c, title: "Victim task" }) { task { id } } }`, { c: a.customer })).createTask.task.id;
  a.survey = (await q(`mutation ($c: ID!) { recordSurveyResponse(input: { customerId: $c, kind: NPS, score: 9 }) { surveyResponse { id } } }`, { c: a.customer })).recordSurveyResponse.surveyResponse.id;
  a.product = (await q(`mutation { createProduct(input: { sku: "SKU-1", name: "Victim widget", unitPrice: "10.00" }) { product { id } } }`)).createProduct.product.id;
  a.order = (await q(`mutation ($c: ID!) { recordOrder(input: { customerId: $c, orderRef: "A-1", lines: [{ sku: "SKU-1", quantity: 2 }] }) { order { id } } }`, { c: a.customer })).recordOrder.order.id;
  a.campaign = (await q(`mutation { createCampaign(input: { name: "Victim campaign", channel: EMAIL, startsAt: "2026-01-01" }) { campaign { id } } }`)).createCampaign.campaign.id;
  await q(`mutation ($cp: ID!, $c: ID!) { recordCampaignResponse(input: { campaignId: $cp, customerId: $c, kind: SENT }) { campaignResponse { id } } }`, { cp: a.campaign, c: a.customer });
  a.webhook = (await q(`mutation { createWebhook(input: { url: "https://victim.example/hooks", eventTypes: ["deal.won"] }) { webhook { id } } }`)).createWebhook.webhook.id;
  const delivery = await t.database.prisma.webhookDelivery.create({
    data: { workspaceId: t.workspace.workspaceId, webhookId: rowId(a.webhook!, 'Webhook', 'id'), eventId: crypto.randomUUID(), eventSeq: 1n,
      eventType: 'deal.won', event: {}, status: 'DELIVERED', attempts: 1, nextAttemptAt: null },
  });
  a.webhookDelivery = globalId('WebhookDelivery', delivery.id);
  victimRoleId = (await q(`mutation { createRole(input: { name: "Victim role", permissions: [{ object: "Customer", read: true }] }) { role { id } } }`)).createRole.role.id;
  victimCustomField = (await q(`mutation { defineCustomField(input: { object: CUSTOMER, name: "contractEnd", type: DATE }) { customField { id } } }`)).defineCustomField.customField.id;
  victimCustomObject = (await q(`mutation { defineCustomObject(input: { name: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject.id;
  a.segment = (await q(`mutation { createSegment(input: { name: "Victim segment", filter: { lifecycleStage: { in: [PROSPECT, CUSTOMER] } } }) { segment { id } } }`)).createSegment.segment.id;
  a.staticSegment = (await q(`mutation { createSegment(input: { name: "Victim list", kind: STATIC }) { segment { id } } }`)).createSegment.segment.id;
  await q(`mutation ($s: ID!, $c: ID!) { addSegmentMembers(input: { segmentId: $s, customerIds: [$c] }) { added } }`, { s: a.staticSegment, c: a.customer });
}

/** Everything A can see of itself; compared before and after the attacks. */
const VICTIM_VIEW = /* GraphQL */ `{
  users { edges { node { id name email role active } } }
  apiKeys(includeRevoked: true) { edges { node { id name role revokedAt customRole { id } scopes } } }
  roles { id name permissions { object read } }
  companies { edges { node { id name domain owner { id } updatedAt } } }
  customers { edges { node { id name email tags lifecycleStage lifetimeValue orderCount updatedAt company { id } owner { id }
    activities { totalCount } orders { totalCount } deals { totalCount } tickets { totalCount } tasks { totalCount } surveyResponses { totalCount }
    analytics { historicalRevenue costToServe profit predictedLifetimeValue } } } }
  clvModel { id }
  analyticsSettings { margin ticketCost }
  pipelines { id name stages { id name probability } }
  customFields { id name label type position }
  customObjects { id name pluralName label }
  deals { edges { node { id title amount status stage { id } updatedAt } } }
  activities { edges { node { id subject } } }
  tasks { edges { node { id title status updatedAt } } }
  tickets { edges { node { id subject status updatedAt } } }
  products { edges { node { id sku name unitPrice updatedAt: createdAt } } }
  orders { edges { node { id total } } }
  campaigns { edges { node { id name responses { totalCount } } } }
  webhooks { edges { node { id url eventTypes enabled deliveries { totalCount edges { node { id status attempts } } } } } }
  segments { id name filter memberCount csv }
  trashedCustomers: trash(object: CUSTOMER) { edges { node { id label } } }
  duplicates(object: CUSTOMER) { score records { id } }
  reports { customerEquity { total } segmentSnapshots { month segment customers } lifecycleFunnel { stage reached } }
}`;

let before: unknown;
beforeAll(async () => {
  t = await startTestGateway();
  victim = t.workspace.client;
  await seedVictim(victim);
  before = await victim.query(VICTIM_VIEW);
  attacker = (await t.createWorkspace('Attacker')).client;
  // B has data of its own, so empty answers below are not empty by accident.
  b.customer = (await attacker.query(`mutation { createCustomer(input: { name: "Bob Attacker" }) { customer { id } } }`)).createCustomer.customer.id;
  b.company = (await attacker.query(`mutation { createCompany(input: { name: "Attacker Corp" }) { company { id } } }`)).createCompany.company.id;
});
afterAll(async () => {
  await t?.close();
});

describe('tenancy: workspace B cannot see workspace A', () => {
  it('node(id) answers null for every kind of A’s rows, and a malformed id is BAD_USER_INPUT', async () => {
    const malformed = await attacker.request(`{ node(id: "not-a-global-id") { id } }`);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (const [kind, id] of Object.entries(a)) {
      const result = await attacker.query(`query ($id: ID!) { node(id: $id) { id } }`, { id });
      expect(result.node, kind).toBeNull();
    }
  });

  it('by-id root fields answer null', async () => {
    const result = await attacker.query(
      `query ($c: ID!, $co: ID!, $d: ID!, $t: ID!, $p: ID!, $o: ID!) {
        customer(id: $c) { id } company(id: $co) { id } deal(id: $d) { id } ticket(id: $t) { id } product(id: $p) { id } order(id: $o) { id } }`,
      { c: a.customer, co: a.company, d: a.deal, t: a.ticket, p: a.product, o: a.order },
    );
    expect(result).toEqual({ customer: null, company: null, deal: null, ticket: null, product: null, order: null });
  });

  it('no connection lists any of A’s rows, and counts only B’s', async () => {
    const view = await attacker.query(VICTIM_VIEW);
    const text = JSON.stringify(view);
    for (const [kind, id] of Object.entries(a)) expect(text, kind).not.toContain(id);
    expect(view.customers.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Bob Attacker']);
    expect(text).not.toMatch(/Victim|victim\.test|SKU-1/);
  });

  it('filters and search with A’s ids or values find nothing', async () => {
    const result = await attacker.query(
      `query ($co: ID!, $u: ID!, $p: ID!, $s: ID!, $seg: ID!) {
        byCompany: customers(filter: { companyId: { eq: $co } }) { totalCount }
        byOwner: customers(filter: { ownerId: { eq: $u } }) { totalCount }
        byTag: customers(filter: { tags: { has: "secret" } }) { totalCount }
        bySearch: customers(search: "vera") { totalCount }
        companySearch: companies(search: "victim") { totalCount }
        dealsByPipeline: deals(filter: { pipelineId: { eq: $p } }) { totalCount }
        dealsByStage: deals(filter: { stage: { id: { eq: $s } } }) { totalCount }
        dealsByOwner: deals(filter: { ownerId: { eq: $u } }) { totalCount }
        tasksByAssignee: tasks(filter: { assigneeId: { eq: $u } }) { totalCount }
        ticketsByAssignee: tickets(filter: { assigneeId: { eq: $u } }) { totalCount }
        byCompanyName: customers(filter: { company: { name: { contains: "victim" } } }) { totalCount }
        byOrders: customers(filter: { orders: { some: { total: { gte: "0" } } } }) { totalCount }
        dealsByCompanyIndustry: deals(filter: { customer: { company: { id: { eq: $co } } } }) { totalCount }
        inSegment: customers(filter: { inSegment: $seg }) { totalCount }
      }`,
      { co: a.company, u: a.user, p: a.pipeline, s: a.stage, seg: a.segment },
    );
    for (const [name, value] of Object.entries(result)) expect((value as { totalCount: number }).totalCount, name).toBe(0);
  });

  it('aggregates, group-by and the global search count and find none of A’s rows', async () => {
    const result = await attacker.query(
      `query ($co: ID!) {
        customers(filter: { companyId: { eq: $co } }) { aggregate { count sum { lifetimeValue } max { createdAt } } }
        orders { aggregate { count sum { total } } }
        byStage: customersGroupBy(by: [{ field: LIFECYCLE_STAGE }]) { key { lifecycleStage } aggregate { count } }
        byCompany: customersGroupBy(by: [{ field: COMPANY_ID }]) { key { companyId } aggregate { count } }
        search(query: "vera victim") { node { id } }
        nested: customers { edges { node { orders { aggregate { count } } } } }
      }`,
      { co: a.company },
    );
    expect(result.customers.aggregate).toEqual({ count: 0, sum: { lifetimeValue: null }, max: { createdAt: null } });
    expect(result.orders.aggregate.count).toBe(0);
    expect(result.byStage).toEqual([{ key: { lifecycleStage: 'PROSPECT' }, aggregate: { count: 1 } }]);
    expect(JSON.stringify(result.byCompany)).not.toContain(a.company);
    expect(result.search).toEqual([]);
    expect(result.nested.edges.map((e: { node: { orders: { aggregate: { count: number } } } }) => e.node.orders.aggregate.count)).toEqual([0]);
    expect(JSON.stringify(result)).not.toMatch(/Victim|victim/);
  });
});

/** Every mutation, aimed at A's rows (or referencing them from a new row of B's). */
const attacks: Record<string, () => [string, Record<string, unknown>]> = {
  updateUser: () => [`mutation ($i: UpdateUserInput!) { updateUser(input: $i) { user { id } } }`, { i: { id: a.user, name: 'Pwned' } }],
  createUser: () => [`mutation ($i: CreateUserInput!) { createUser(input: $i) { user { id } } }`, { i: { name: 'Same email', email: 'owner@victim.test' } }],
  createApiKey: () => [`mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`, { i: { name: 'k', role: 'ADMIN', userId: a.user } }],
  createRole: () => [`mutation ($i: CreateRoleInput!) { createRole(input: $i) { role { id } } }`, { i: { name: 'Victim role', permissions: [{ object: 'Customer', read: true }] } }],
  updateRole: () => [`mutation ($i: UpdateRoleInput!) { updateRole(input: $i) { role { id } } }`, { i: { id: victimRoleId, name: 'Pwned', permissions: [] } }],
  deleteRole: () => [`mutation ($i: DeleteRoleInput!) { deleteRole(input: $i) { role { id } } }`, { i: { id: victimRoleId } }],
  assignRole: () => [`mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`, { i: { name: 'k', roleId: victimRoleId } }],
  updateApiKey: () => [`mutation ($i: UpdateApiKeyInput!) { updateApiKey(input: $i) { apiKey { id } } }`, { i: { id: a.apiKey, role: 'ADMIN' } }],
  revokeApiKey: () => [`mutation ($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { id } } }`, { i: { id: a.apiKey } }],
  createCustomer: () => [`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`, { i: { name: 'X', companyId: a.company } }],
  updateCustomer: () => [`mutation ($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { id } } }`, { i: { id: a.customer, name: 'Pwned' } }],
  deleteCustomer: () => [`mutation ($i: DeleteCustomerInput!) { deleteCustomer(input: $i) { deletedCustomerId } }`, { i: { id: a.customer } }],
  createCompany: () => [`mutation ($i: CreateCompanyInput!) { createCompany(input: $i) { company { id } } }`, { i: { name: 'X', ownerId: a.user } }],
  updateCompany: () => [`mutation ($i: UpdateCompanyInput!) { updateCompany(input: $i) { company { id } } }`, { i: { id: a.company, name: 'Pwned' } }],
  deleteCompany: () => [`mutation ($i: DeleteCompanyInput!) { deleteCompany(input: $i) { deletedCompanyId } }`, { i: { id: a.company } }],
  createDeal: () => [`mutation ($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }`, { i: { customerId: a.customer, title: 'X', amount: '1.00' } }],
  updateDeal: () => [`mutation ($i: UpdateDealInput!) { updateDeal(input: $i) { deal { id } } }`, { i: { id: a.deal, title: 'Pwned' } }],
  moveDeal: () => [`mutation ($i: MoveDealInput!) { moveDeal(input: $i) { deal { id } } }`, { i: { id: a.deal, stageId: a.lostStage, lostReason: 'x' } }],
  deleteDeal: () => [`mutation ($i: DeleteDealInput!) { deleteDeal(input: $i) { deletedDealId } }`, { i: { id: a.deal } }],
  createPipeline: () => [`mutation ($i: CreatePipelineInput!) { createPipeline(input: $i) { pipeline { id } } }`, { i: { name: 'Enterprise', stages: [{ name: 'Open', probability: 10 }, { name: 'Won', probability: 100, isWon: true }, { name: 'Lost', probability: 0, isLost: true }] } }],
  renamePipeline: () => [`mutation ($i: RenamePipelineInput!) { renamePipeline(input: $i) { pipeline { id } } }`, { i: { id: a.pipeline, name: 'Pwned' } }],
  updateStage: () => [`mutation ($i: UpdateStageInput!) { updateStage(input: $i) { stage { id } } }`, { i: { id: a.stage, name: 'Pwned' } }],
  convertLead: () => [`mutation ($i: ConvertLeadInput!) { convertLead(input: $i) { customer { id } } }`, { i: { customerId: a.customer } }],
  logActivity: () => [`mutation ($i: LogActivityInput!) { logActivity(input: $i) { activity { id } } }`, { i: { customerId: a.customer, type: 'NOTE', channel: 'WEB', subject: 'x' } }],
  createTask: () => [`mutation ($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`, { i: { title: 'x', dealId: a.deal } }],
  updateTask: () => [`mutation ($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }`, { i: { id: a.task, title: 'Pwned' } }],
  completeTask: () => [`mutation ($i: CompleteTaskInput!) { completeTask(input: $i) { task { id } } }`, { i: { id: a.task } }],
  createTicket: () => [`mutation ($i: CreateTicketInput!) { createTicket(input: $i) { ticket { id } } }`, { i: { customerId: a.customer, subject: 'x' } }],
  updateTicket: () => [`mutation ($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { id } } }`, { i: { id: a.ticket, status: 'CLOSED' } }],
  recordSurveyResponse: () => [`mutation ($i: RecordSurveyResponseInput!) { recordSurveyResponse(input: $i) { surveyResponse { id } } }`, { i: { customerId: a.customer, kind: 'NPS', score: 0 } }],
  createProduct: () => [`mutation ($i: CreateProductInput!) { createProduct(input: $i) { product { id } } }`, { i: { sku: 'SKU-1', name: 'Same sku', unitPrice: '1.00' } }],
  updateProduct: () => [`mutation ($i: UpdateProductInput!) { updateProduct(input: $i) { product { id } } }`, { i: { id: a.product, name: 'Pwned' } }],
  recordOrder: () => [`mutation ($i: RecordOrderInput!) { recordOrder(input: $i) { order { id } } }`, { i: { customerId: a.customer, lines: [{ sku: 'SKU-1', quantity: 1 }] } }],
  createCampaign: () => [`mutation ($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }`, { i: { name: 'Victim campaign', channel: 'EMAIL', startsAt: '2026-01-01' } }],
  recordCampaignResponse: () => [`mutation ($i: RecordCampaignResponseInput!) { recordCampaignResponse(input: $i) { campaignResponse { id } } }`, { i: { campaignId: a.campaign, customerId: a.customer, kind: 'OPENED' } }],
  createWebhook: () => [`mutation ($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } } }`, { i: { url: 'https://attacker.example/hooks', eventTypes: ['deal.won'] } }],
  updateWebhook: () => [`mutation ($i: UpdateWebhookInput!) { updateWebhook(input: $i) { webhook { id } } }`, { i: { id: a.webhook, url: 'https://attacker.example/stolen' } }],
  deleteWebhook: () => [`mutation ($i: DeleteWebhookInput!) { deleteWebhook(input: $i) { deletedWebhookId } }`, { i: { id: a.webhook } }],
  rotateWebhookSecret: () => [`mutation ($i: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $i) { secret } }`, { i: { id: a.webhook } }],
  redeliverWebhookDelivery: () => [`mutation ($i: RedeliverWebhookDeliveryInput!) { redeliverWebhookDelivery(input: $i) { delivery { id } } }`, { i: { id: a.webhookDelivery } }],
  // A's customer email and orderRef in B's import make B's own customer and orders; then B fits and tunes its model.
  importOrders: () => [`mutation ($i: ImportOrdersInput!) { importOrders(input: $i) { imported } }`, { i: { csv: 'customer,orderedAt,total,orderRef\nvera@victim.test,2026-01-01,10,A-1\nvera@victim.test,2026-02-01,10,A-2' } }],
  refreshClvModel: () => [`mutation { refreshClvModel { model { id } } }`, {}],
  // B's segment over A's company and customers' stage: it is B's own and matches none of A's customers.
  createSegment: () => [`mutation ($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id memberCount } } }`, { i: { name: 'Victim segment', filter: { companyId: { eq: a.company } } } }],
  updateSegment: () => [`mutation ($i: UpdateSegmentInput!) { updateSegment(input: $i) { segment { id } } }`, { i: { id: a.segment, name: 'Pwned', filter: {} } }],
  deleteSegment: () => [`mutation ($i: DeleteSegmentInput!) { deleteSegment(input: $i) { deletedSegmentId } }`, { i: { id: a.segment } }],
  // A's STATIC list with A's customer (a member: removing would show), and A's customer on B's list.
  addSegmentMembers: () => [`mutation ($i: AddSegmentMembersInput!) { addSegmentMembers(input: $i) { added } }`, { i: { segmentId: a.staticSegment, customerIds: [a.customer] } }],
  removeSegmentMembers: () => [`mutation ($i: RemoveSegmentMembersInput!) { removeSegmentMembers(input: $i) { removed } }`, { i: { segmentId: a.staticSegment, customerIds: [a.customer] } }],
  // B defines a field of the same name: its own, invisible to A; A's definition cannot be named from B.
  defineCustomField: () => [`mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`, { i: { object: 'CUSTOMER', name: 'contractEnd', type: 'TEXT' } }],
  renameCustomField: () => [`mutation ($i: RenameCustomFieldInput!) { renameCustomField(input: $i) { customField { id } } }`, { i: { id: victimCustomField, name: 'pwned' } }],
  archiveCustomField: () => [`mutation ($i: ArchiveCustomFieldInput!) { archiveCustomField(input: $i) { customField { id } } }`, { i: { id: victimCustomField } }],
  defineCustomObject: () => [`mutation ($i: DefineCustomObjectInput!) { defineCustomObject(input: $i) { customObject { id } } }`, { i: { name: 'Contract' } }],
  renameCustomObject: () => [`mutation ($i: RenameCustomObjectInput!) { renameCustomObject(input: $i) { customObject { id } } }`, { i: { id: victimCustomObject, name: 'Pwned' } }],
  archiveCustomObject: () => [`mutation ($i: ArchiveCustomObjectInput!) { archiveCustomObject(input: $i) { customObject { id } } }`, { i: { id: victimCustomObject } }],
  deleteCustomObject: () => [`mutation ($i: DeleteCustomObjectInput!) { deleteCustomObject(input: $i) { deletedId } }`, { i: { id: victimCustomObject, force: true } }],
  deleteCustomField: () => [`mutation ($i: DeleteCustomFieldInput!) { deleteCustomField(input: $i) { deletedId } }`, { i: { id: victimCustomField, force: true } }],
  updateAnalyticsSettings: () => [`mutation ($i: UpdateAnalyticsSettingsInput!) { updateAnalyticsSettings(input: $i) { settings { margin } } }`, { i: { margin: 0.9, ticketCost: 1000 } }],
};

// The trash, merges and personal data (docs/data.md), aimed at A's rows: one of each per trashable object.
for (const [type, key] of [['Customer', 'customer'], ['Company', 'company'], ['Deal', 'deal'], ['Ticket', 'ticket'], ['Task', 'task'], ['Product', 'product'], ['Activity', 'activity']] as const) {
  const field = key;
  if (!attacks[`delete${type}`]) attacks[`delete${type}`] = () => [`mutation ($i: Delete${type}Input!) { delete${type}(input: $i) { deleted${type}Id } }`, { i: { id: a[field] } }];
  attacks[`restore${type}`] = () => [`mutation ($i: Restore${type}Input!) { restore${type}(input: $i) { ${key} { id } } }`, { i: { id: a[field] } }];
  attacks[`destroy${type}`] = () => [`mutation ($i: Destroy${type}Input!) { destroy${type}(input: $i) { destroyed${type}Id } }`, { i: { id: a[field] } }];
}
attacks.mergeCustomers = () => [`mutation ($i: MergeCustomersInput!) { mergeCustomers(input: $i) { mergedIds } }`, { i: { keep: a.customer, merge: [b.customer] } }];
attacks.mergeCompanies = () => [`mutation ($i: MergeCompaniesInput!) { mergeCompanies(input: $i) { mergedIds } }`, { i: { keep: b.company, merge: [a.company] } }];
attacks.exportPersonalData = () => [`mutation ($i: ExportPersonalDataInput!) { exportPersonalData(input: $i) { document } }`, { i: { customerId: a.customer } }];
attacks.erasePerson = () => [`mutation ($i: ErasePersonInput!) { erasePerson(input: $i) { erasedCustomerId } }`, { i: { customerId: a.customer } }];

// Bulk writes and upserts (docs/data.md): every row naming one of A's rows is refused as NOT_FOUND (listed in
// extensions.rows); upserts on A's keys make B's own records.
const bulk: [type: string, key: string, plural: string, create: () => Record<string, unknown>, patch: Record<string, unknown>][] = [
  ['Customer', 'customer', 'Customers', () => ({ name: 'x', companyId: a.company }), { name: 'Pwned' }],
  ['Company', 'company', 'Companies', () => ({ name: 'x', ownerId: a.user }), { name: 'Pwned' }],
  ['Product', 'product', 'Products', () => ({ sku: 'SKU-B2', name: 'x', unitPrice: '1.00' }), { name: 'Pwned' }],
  ['Deal', 'deal', 'Deals', () => ({ title: 'x', customerId: a.customer }), { title: 'Pwned' }],
  ['Task', 'task', 'Tasks', () => ({ title: 'x', dealId: a.deal }), { title: 'Pwned' }],
  ['Ticket', 'ticket', 'Tickets', () => ({ subject: 'x', customerId: a.customer }), { subject: 'Pwned' }],
  ['Activity', 'activity', 'Activities', () => ({ customerId: a.customer, type: 'NOTE', channel: 'WEB', subject: 'x' }), {}],
];
for (const [type, key, plural, create, patch] of bulk) {
  attacks[`create${plural}`] = () => [`mutation ($i: [${type}Input!]!) { create${plural}(inputs: $i) { count } }`, { i: [create()] }];
  attacks[`delete${plural}`] = () => [`mutation ($ids: [ID!]) { delete${plural}(where: { ids: $ids }) { count } }`, { ids: [a[key]] }];
  if (Object.keys(patch).length) attacks[`update${plural}`] = () => [`mutation ($ids: [ID!], $p: ${type}Patch!) { update${plural}(where: { ids: $ids }, patch: $p) { count } }`, { ids: [a[key]], p: patch }];
}
const upserts: [type: string, plural: string, key: string, input: () => Record<string, unknown>][] = [
  ['Customer', 'Customers', 'EMAIL', () => ({ name: 'Pwned', email: 'vera@victim.test' })],
  ['Company', 'Companies', 'DOMAIN', () => ({ name: 'Pwned', domain: 'victim.test' })],
  ['Product', 'Products', 'SKU', () => ({ sku: 'SKU-1', name: 'B widget', unitPrice: '2.00' })],
  ['Deal', 'Deals', 'EXTERNAL_REF', () => ({ title: 'x', externalRef: 'deal-ref', customerId: a.customer })],
];
for (const [type, plural, key, input] of upserts) {
  attacks[`upsert${type}`] = () => [`mutation ($i: ${type}Input!) { upsert${type}(input: $i, on: ${key}) { created } }`, { i: input() }];
  attacks[`upsert${plural}`] = () => [`mutation ($i: [${type}Input!]!) { upsert${plural}(inputs: $i, on: ${key}) { created } }`, { i: [input()] }];
}
// A CSV of A's customers' emails, upserted: B gets its own customers (the upload is sent as a multipart request).
attacks.importRecords = () => [IMPORT_RECORDS, { object: 'CUSTOMER', on: 'email', file: 'name,email\nPwned,vera@victim.test\n' }];
const IMPORT_RECORDS = `mutation ($object: ImportObject!, $file: Upload!, $on: String) { importRecords(object: $object, file: $file, on: $on) { created updated } }`;

/** Sends an attack: a multipart upload when it carries a file (GraphQL multipart request spec). */
async function send(client: TestClient, query: string, variables: Record<string, unknown>) {
  if (typeof variables.file !== 'string') return client.request(query, variables);
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables: { ...variables, file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', new Blob([variables.file]), 'attack.csv');
  const response = await fetch(`${client.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${client.apiKey}` }, body: form });
  return (await response.json()) as Awaited<ReturnType<TestClient['request']>>;
}

/** The refusal's code; a bulk call's refused rows all carry the code of their own refusal. */
function refusalOf(result: Awaited<ReturnType<TestClient['request']>>): string | undefined {
  const extensions = result.errors?.[0]?.extensions;
  const rows = extensions?.rows as { code: string }[] | undefined;
  if (extensions?.code === 'BAD_USER_INPUT' && rows?.length) return [...new Set(rows.map((row) => row.code))].join(',');
  return extensions?.code as string | undefined;
}

/** Mutations that name no foreign row: they must succeed in B (uniqueness is per workspace, so nothing leaks). */
const succeedInOwnWorkspace = new Set(['createUser', 'createRole', 'createPipeline', 'createProduct', 'createCampaign', 'createWebhook', 'importOrders', 'refreshClvModel', 'updateAnalyticsSettings', 'createSegment', 'defineCustomField', 'defineCustomObject',
  'createProducts', 'upsertCustomer', 'upsertCustomers', 'upsertCompany', 'upsertCompanies', 'upsertProduct', 'upsertProducts', 'importRecords']);

describe('tenancy: workspace B cannot change workspace A', () => {
  it('every mutation aimed at A’s rows fails with NOT_FOUND (or succeeds harmlessly inside B)', async () => {
    for (const [name, attack] of Object.entries(attacks)) {
      const [query, variables] = attack();
      const result = await send(attacker, query, variables);
      if (succeedInOwnWorkspace.has(name)) {
        expect(result.errors, name).toBeUndefined();
      } else {
        expect(refusalOf(result), `${name}: ${JSON.stringify(result.errors)}`).toBe('NOT_FOUND');
      }
    }
  });

  it('left workspace A exactly as it was', async () => {
    expect(await victim.query(VICTIM_VIEW)).toEqual(before);
  });

  it('covers every mutation of the schema', () => {
    const mutations = Object.keys(buildSchema().getMutationType()!.getFields()).sort();
    expect(Object.keys(attacks).filter((name) => name !== 'assignRole').sort()).toEqual(mutations);
  });
});
