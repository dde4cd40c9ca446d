// Archiving a workflow while another request enables, publishes or runs it by hand: each takes the workflow's lock
// and reads it under it, so the one that comes second sees the archive (CONFLICT) instead of acting on what it read
// before the archive committed (an archived workflow switched on, a version published on it, runs started after the
// archive returned). PostgreSQL: the requests run at once, their order forced by a second connection holding the
// workflow's row.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { describe, expect, it } from 'vitest';
import { CREATE, CUSTOMER, databaseLockWaiters, ENABLE, PUBLISH, publishedWorkflow, rowIdOf, runsOf, until, usePostgresGateway } from './support.js';

const ARCHIVE = `mutation ($id: ID!) { archiveWorkflow(input: { id: $id }) { workflow { id archivedAt } } }`;
const ON_RECORDS = `mutation ($id: ID!, $ids: [ID!]) { runWorkflowOnRecords(input: { id: $id, ids: $ids }) { started } }`;
const STATE = `query ($id: ID!) { workflow(id: $id) { enabled archivedAt versions { number } } }`;
const manual = { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 't', kind: 'addTag', tag: 'raced' }] };

let kit: PluginTestGateway;
let admin: TestClient;

usePostgresGateway((gateway) => ({ kit, admin } = gateway));

const codeOf = async (answer: Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] }>) => (await answer).errors?.[0]?.extensions?.code;

const lockWaiters = () => databaseLockWaiters(kit);
const waitersReach = (n: number) => until(async () => ((await lockWaiters()) >= n ? true : undefined));

/**
 * Archives the workflow and sends `second` while the archive has not committed: a second connection holds the
 * workflow's row, the archive waits for it, then `second` is sent and waits too (for the workflow's lock, or without
 * it for the row); the row is let go. Returns the archive's and `second`'s error codes (undefined: no error).
 */
async function whileArchiving(id: string, second: () => Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] }>) {
  return kit.database.sql.withSession(async (holder) => {
    await holder.query('BEGIN');
    await holder.query(`SELECT id FROM "Workflow" WHERE id = $1 FOR UPDATE`, [rowIdOf(id)]);
    const before = await lockWaiters();
    const archiving = codeOf(admin.request(ARCHIVE, { id }));
    await waitersReach(before + 1);
    const racing = codeOf(second());
    await waitersReach(before + 2);
    await holder.query('COMMIT');
    return { archive: await archiving, second: await racing };
  });
}

describe('archiving a workflow while another request acts on it', () => {
  it('an enable sent during the archive sees it: CONFLICT, the workflow stays archived and disabled', async () => {
    const id = (await admin.query(CREATE, { name: 'Raced enable', definition: manual })).createWorkflow.workflow.id as string;
    await admin.query(PUBLISH, { id });
    expect(await whileArchiving(id, () => admin.request(ENABLE, { id, enabled: true }))).toEqual({ archive: undefined, second: 'CONFLICT' });
    const state = (await admin.query(STATE, { id })).workflow;
    expect(state.enabled).toBe(false);
    expect(state.archivedAt).not.toBeNull();
  });

  it('a publish sent during the archive sees it: CONFLICT, no version is added', async () => {
    const id = (await admin.query(CREATE, { name: 'Raced publish', definition: manual })).createWorkflow.workflow.id as string;
    await admin.query(PUBLISH, { id });
    expect(await whileArchiving(id, () => admin.request(PUBLISH, { id }))).toEqual({ archive: undefined, second: 'CONFLICT' });
    expect((await admin.query(STATE, { id })).workflow.versions).toEqual([{ number: 1 }]);
  });

  it('runs on a selection sent during the archive see it: CONFLICT, no run starts', async () => {
    const id = await publishedWorkflow(admin, 'Raced runs', manual);
    const customer = (await admin.query(CUSTOMER, { name: 'Raced customer' })).createCustomer.customer.id as string;
    expect(await whileArchiving(id, () => admin.request(ON_RECORDS, { id, ids: [customer] }))).toEqual({ archive: undefined, second: 'CONFLICT' });
    expect(await runsOf(admin, id)).toEqual([]);
  });
});
