// `updateRecord` through a to-many relation finds its records and locks them in one statement (`FOR UPDATE`): a record
// changed meanwhile by another transaction so that it no longer matches `where` is skipped, not overwritten (a member
// completes a task while "cancel the customer's open tasks" runs: the task stays DONE). PostgreSQL: a second connection
// holds the task's row while completing it, the step waits for it, then the completion commits.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { expect, it } from 'vitest';
import { databaseLockWaiters, finishedRuns, publishedWorkflow, rowIdOf, RUN, until, usePostgresGateway } from './support.js';

let kit: PluginTestGateway;
let admin: TestClient;

usePostgresGateway((gateway) => ({ kit, admin } = gateway));

const lockWaiters = () => databaseLockWaiters(kit);

it('a task completed while the step runs stays DONE: the step re-checks where on the committed row and skips it', async () => {
  const customer = (await admin.query(`mutation { createCustomer(input: { name: "Racing" }) { customer { id } } }`)).createCustomer.customer.id as string;
  const taskOf = async (title: string) => (await admin.query(`mutation ($t: String!, $c: ID) { createTask(input: { title: $t, customerId: $c }) { task { id } } }`, { t: title, c: customer })).createTask.task.id as string;
  const [raced, open] = [await taskOf('Raced'), await taskOf('Still open')];
  const id = await publishedWorkflow(admin, 'Cancel open tasks', {
    trigger: { kind: 'manual', object: 'Customer' },
    steps: [{ id: 'cancel', kind: 'updateRecord', relation: 'tasks', where: { status: { eq: 'OPEN' } }, values: { status: 'CANCELLED' } }],
  });
  await kit.database.sql.withSession(async (member) => {
    // A member's completion of the task, not yet committed: its row is locked and its new version unseen.
    await member.query('BEGIN');
    await member.query(`UPDATE "Task" SET "status" = 'DONE' WHERE "id" = $1::uuid`, [rowIdOf(raced)]);
    const before = await lockWaiters();
    await admin.query(RUN, { id, recordId: customer });
    await until(async () => ((await lockWaiters()) > before ? true : undefined));
    await member.query('COMMIT');
  });
  const [run] = await finishedRuns(kit, admin, id, 1);
  expect(run).toMatchObject({ status: 'SUCCEEDED' });
  expect(run!.steps[0]!.output).toMatchObject({ count: 1, ids: [rowIdOf(open)] });
  const status = async (task: string) => (await admin.query(`query ($id: ID!) { node(id: $id) { ... on Task { status } } }`, { id: task })).node.status;
  expect(await status(raced)).toBe('DONE');
  expect(await status(open)).toBe('CANCELLED');
});
