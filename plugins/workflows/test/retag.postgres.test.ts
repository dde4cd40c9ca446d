// A tag step changes the customer's tag list: a change made to the customer by another transaction holding the row
// must not be lost. PostgreSQL: two transactions at once.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { describe, expect, it } from 'vitest';
import { databaseLockWaiters, eventually, finishedRuns, publishedWorkflow, usePostgresGateway } from './support.js';

const CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name, tags: ["vip"] }) { customer { id } } }`;
const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
const TAGS = `query ($id: ID!) { customer(id: $id) { tags } }`;

let kit: PluginTestGateway;
let admin: TestClient;

usePostgresGateway((gateway) => ({ kit, admin } = gateway));

describe('addTag against a concurrent change of the customer', () => {
  it('keeps the tag another transaction added while the step waited for the row', async () => {
    const id = await publishedWorkflow(admin, 'Tag on demand', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 't', kind: 'addTag', tag: 'workflow' }] });
    await admin.query(`mutation { updatePluginSettings(input: { pluginId: "workflows", settings: { retryBackoffMs: 0 } }) { plugin { id } } }`);
    const customer = (await admin.query(CUSTOMER, { name: 'Tina Tags' })).createCustomer.customer.id as string;
    const rowId = Buffer.from(customer, 'base64').toString().split(':')[1]!;
    // Another writer changes the customer's tags and holds the row until the step is waiting for it.
    await kit.database.sql.withSession(async (writer) => {
      await writer.query('BEGIN');
      await writer.query(`UPDATE "Customer" SET tags = array_append(tags, 'manual'), "updatedAt" = now() WHERE id = $1`, [rowId]);
      await admin.query(ON_RECORDS, { id, ids: [customer] });
      await eventually(kit, async () => {
        expect(await databaseLockWaiters(kit)).toBeGreaterThan(0);
      });
      await writer.query('COMMIT');
    });
    const [run] = await finishedRuns(kit, admin, id, 1);
    expect(run!.status).toBe('SUCCEEDED');
    // The step waited for the row and read the list under its lock (updateCustomerTags): the other change is kept, at
    // the first try, with no CONFLICT to retry.
    expect(run!.steps[0]!.attempts).toBe(1);
    expect([...(await admin.query(TAGS, { id: customer })).customer.tags].sort()).toEqual(['manual', 'vip', 'workflow']);
  });
});
