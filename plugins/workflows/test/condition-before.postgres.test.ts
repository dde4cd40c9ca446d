// "Only when the condition becomes true" judges the record as it was before the change by reading it with the change's
// `from` values in place, never by writing them back: a value the record cannot take again (another customer took the
// old email since) must neither fail the delivery nor stall the lane. On PostgreSQL, the test holds the lane's first read
// (an exclusive lock on "WorkflowVersion" from a connection of its own) so that the other customer is created before
// the update is delivered, on purpose, without sleeps.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { finishedRuns, ownConnection, publishedWorkflow, runsOf, until } from './support.js';

const CREATE_CUSTOMER = `mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`;
const UPDATE_CUSTOMER = `mutation ($id: ID!, $email: String) { updateCustomer(input: { id: $id, email: $email }) { customer { id } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let own: pg.Client;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 60_000 })], database: 'postgres' });
  admin = kit.workspace.client;
  own = await ownConnection(kit);
}, 120_000);
afterAll(async () => {
  await own?.end();
  await kit?.close();
});

/** Backends waiting for a lock on "WorkflowVersion" (the delivery's lookup of the listening versions). */
async function versionReaders(): Promise<number> {
  const { rows } = await own.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = '"WorkflowVersion"'::regclass AND pid <> pg_backend_pid()`,
  );
  return rows[0]!.n;
}

describe('the record before the change', () => {
  it('is judged on a value another record has taken since, and the lane keeps draining', async () => {
    const moved = await publishedWorkflow(admin, 'Moved to the new domain', {
      trigger: { kind: 'record', object: 'Customer', on: 'updated', condition: { email: { endsWith: '@new.test' } }, onlyWhenConditionBecomesTrue: true },
      steps: [{ id: 'n', kind: 'wait', for: { seconds: 0 } }],
    });
    const created = await publishedWorkflow(admin, 'Any new customer', { trigger: { kind: 'record', object: 'Customer', on: 'created' }, steps: [{ id: 'n', kind: 'wait', for: { seconds: 0 } }] });
    const a = (await admin.query(CREATE_CUSTOMER, { name: 'Ada', email: 'ada@old.test' })).createCustomer.customer.id;
    await finishedRuns(kit, admin, created, 1);

    await own.query('BEGIN');
    await own.query('LOCK TABLE "WorkflowVersion" IN ACCESS EXCLUSIVE MODE');
    try {
      await admin.query(UPDATE_CUSTOMER, { id: a, email: 'ada@new.test' });
      // The update's delivery waits at its first read; meanwhile another customer takes Ada's old email.
      await until(async () => ((await versionReaders()) > 0 ? true : undefined));
      await admin.query(CREATE_CUSTOMER, { name: 'Bea', email: 'ada@old.test' });
    } finally {
      await own.query('COMMIT');
    }
    // Ada was not on the new domain before: one run. And Bea's event, delivered after, starts its run.
    await finishedRuns(kit, admin, moved, 1, undefined, 60_000);
    await finishedRuns(kit, admin, created, 2, undefined, 60_000);
    await kit.settled();
    expect(await runsOf(admin, moved)).toHaveLength(1);
  });
});
