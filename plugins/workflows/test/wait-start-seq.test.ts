// A `waitForEvent`'s first look counts the events after the run's start by `seq` (WorkflowRun.startSeq), not by their
// `occurredAt`: an event of a long command (its time taken early, its commit late, so a higher seq than the awaited
// one) no longer hides the awaited event that committed before it.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, publishedWorkflow, rowIdOf, RUN, startReceiver, until } from './support.js';

const RENAME = `mutation ($id: ID!, $name: String!) { updateCustomer(input: { id: $id, name: $name }) { customer { id } } }`;
const VIEW = `query ($id: ID!) { node(id: $id) { ... on WorkflowRun { status steps { stepId status output } } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const held: (() => void)[] = [];

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50 })], webhooks: { allowPrivateTargets: true } });
  admin = kit.workspace.client;
  // Every request held until the test lets it go.
  receiver = await startReceiver(() => 200, () => new Promise<void>((resolve) => held.push(resolve)));
});
afterAll(async () => {
  for (const release of held.splice(0)) release();
  await receiver?.close();
  await kit?.close();
});


describe('the first look of a waitForEvent', () => {
  it('finds the awaited event although a later-committed event occurred before the run started', async () => {
    const id = await publishedWorkflow(admin, 'Long command', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [
        { id: 'notify', kind: 'httpRequest', url: receiver.url, body: { long: true } },
        { id: 'reply', kind: 'waitForEvent', eventType: 'customer.updated', timeout: { days: 3 } },
      ],
    });
    const customer = (await admin.query(CUSTOMER, { name: 'Lena Long' })).createCustomer.customer.id as string;
    const run = (await admin.query(RUN, { id, recordId: customer })).runWorkflow.run.id as string;
    await until(async () => (held.length ? true : undefined));
    const [started] = await kit.database.sql.query<{ startedAt: Date; startSeq: string }>(
      `SELECT "startedAt", "startSeq"::text AS "startSeq" FROM "WorkflowRun" WHERE id = $1::uuid`,
      [rowIdOf(run)],
    );
    // The run's start is the workspace's newest event then (its own `workflow.run_requested` came with its commit).
    const [newest] = await kit.database.sql.query<{ seq: string }>(`SELECT max(seq)::text AS seq FROM "Event" WHERE "workspaceId" = $1::uuid AND type <> 'workflow.run_requested'`, [
      kit.workspace.workspaceId,
    ]);
    expect(started!.startSeq).toBe(newest!.seq);

    // While the HTTP step runs: the awaited change commits (no wait listens yet) …
    await admin.query(RENAME, { id: customer, name: 'Lena Answered' });
    await kit.settled();
    const awaited = await kit.lastEvent('customer.updated');
    // … then a long command's event about the customer: its time from before the run started, its commit (its seq) after.
    await kit.database.sql.query(
      `INSERT INTO "Event" (id, "workspaceId", type, "subjectType", "subjectId", "customerId", actor, "occurredAt")
       VALUES (gen_random_uuid(), $1::uuid, 'customer.stage_changed', 'Customer', $2::uuid, $2::uuid, 'system', $3::timestamptz - interval '1 second')`,
      [kit.workspace.workspaceId, rowIdOf(customer), started!.startedAt],
    );
    // Published already by the process that committed it (the relay leaves it alone).
    await kit.database.sql.query(
      `DELETE FROM "EventOutbox" o USING "Event" e WHERE e.id = o."eventId" AND e."workspaceId" = $1::uuid AND e.type = 'customer.stage_changed'`,
      [kit.workspace.workspaceId],
    );
    for (const release of held.splice(0)) release();

    const ended = await eventually(kit, async () => {
      const found = (await admin.query(VIEW, { id: run })).node as { status: string; steps: { stepId: string; status: string; output: any }[] };
      expect(found.status).toBe('SUCCEEDED');
      return found;
    });
    expect(ended.steps.find((s) => s.stepId === 'reply')?.output).toMatchObject({ received: true, event: { id: awaited.id, type: 'customer.updated' } });
  });
});
