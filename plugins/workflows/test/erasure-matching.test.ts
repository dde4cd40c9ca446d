// A person's erasure finds them in run history by whole address only, and in a failed run's error
// (docs/plugins/workflows.md "Privacy"): erasing ann@example.com leaves joann@example.com's and
// ann@example.com.au's runs as they were; an HTTP answer quoting the email (bare or in single quotes), copied into the
// run's error, is scrubbed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { eventually, finishedRuns, publishedWorkflow, RUN, runsOf } from './support.js';

const CUSTOMER = `mutation ($name: String!, $email: String) { createCustomer(input: { name: $name, email: $email }) { customer { id } } }`;
const HISTORY = `{ workflowRuns(first: 100) { id status recordId error trigger steps { stepId status input output error } } }`;
const ERASE = `mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`;
const ERASURES = 'SELECT count(*)::int AS n FROM "WorkflowErasure" WHERE "scrubbedAt" IS NULL';

/** Answers 400 quoting the address it was sent (`?to=`). */
const server = http.createServer((request, response) => {
  const to = new URL(request.url!, 'http://x').searchParams.get('to');
  request.resume();
  response.writeHead(400, { 'content-type': 'text/plain' }).end(`unknown recipient ${to}`);
});

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 5000 })],
    webhooks: { allowPrivateTargets: true, timeoutMs: 5000 },
  });
  admin = kit.workspace.client;
  await admin.query(`mutation { updatePluginSettings(input: { pluginId: "workflows", settings: { stepAttempts: 1 } }) { plugin { id } } }`);
});
afterAll(async () => {
  await kit?.close();
  server.close();
});

const customer = async (name: string, email: string) => (await admin.query(CUSTOMER, { name, email })).createCustomer.customer.id as string;
const history = async () => (await admin.query(HISTORY)).workflowRuns as { id: string; status: string; error: string | null }[];

describe('erasure matching', () => {
  it('matches the email as a whole address, and scrubs a failed run’s error', async () => {
    const port = (server.address() as AddressInfo).port;
    // Started on a customer: mails them (finished, their email in the step's input), or waits a day (their email in the trigger).
    const mailed = await publishedWorkflow(admin, 'Mail', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'mail', kind: 'sendEmail', to: '{{trigger.record.email}}', subject: 'Hi', text: 'Hello' }],
    });
    const waits = await publishedWorkflow(admin, 'Wait', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'pause', kind: 'wait', for: { days: 1 } }] });
    // Started on Bob, calls a receiver about Ann: the 400 answer quoting her address is the run's error.
    const calls = await publishedWorkflow(admin, 'Call', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'call', kind: 'httpRequest', method: 'GET', url: `http://127.0.0.1:${port}/check?to=ann@example.com` }],
    });
    // The same, the answer quoting her address in single quotes: `unknown recipient 'ann@example.com'`.
    const quotes = await publishedWorkflow(admin, 'Call quoted', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'call', kind: 'httpRequest', method: 'GET', url: `http://127.0.0.1:${port}/check?to='ann@example.com'` }],
    });
    const ann = await customer('Ann', 'ann@example.com');
    const others = [await customer('Joann', 'joann@example.com'), await customer('Ann AU', 'ann@example.com.au')];
    const bob = await customer('Bob', 'bob@example.com');
    for (const id of others) {
      await admin.query(RUN, { id: mailed, recordId: id });
      await admin.query(RUN, { id: waits, recordId: id });
    }
    await admin.query(RUN, { id: calls, recordId: bob });
    await admin.query(RUN, { id: quotes, recordId: bob });
    await finishedRuns(kit, admin, mailed, 2);
    await finishedRuns(kit, admin, waits, 2, ['WAITING']);
    const [failed] = await finishedRuns(kit, admin, calls, 1, ['FAILED']);
    const [quoted] = await finishedRuns(kit, admin, quotes, 1, ['FAILED']);
    const before = await history();
    expect(before.find((run) => run.id === failed!.id)!.error).toContain('ann@example.com');
    expect(before.find((run) => run.id === quoted!.id)!.error).toContain("'ann@example.com'");

    await admin.query(ERASE, { c: ann });

    await eventually(kit, async () => {
      const [left] = await kit.database.prisma.$queryRawUnsafe<{ n: number }[]>(ERASURES);
      expect(left!.n).toBe(0);
    });
    const after = await history();
    const failedAfter = after.find((run) => run.id === failed!.id)!;
    expect(JSON.stringify(failedAfter)).not.toContain('ann@example.com');
    expect(failedAfter.status).toBe('FAILED');
    const quotedAfter = after.find((run) => run.id === quoted!.id)!;
    expect(JSON.stringify(quotedAfter)).not.toContain('ann@example.com');
    expect(quotedAfter.status).toBe('FAILED');
    // Joann's and Ann AU's runs, finished and waiting, are as they were.
    const untouched = (runs: typeof before) => runs.filter((run) => run.id !== failed!.id && run.id !== quoted!.id).sort((a, b) => a.id.localeCompare(b.id));
    expect(untouched(after)).toEqual(untouched(before));
    expect(untouched(after).map((run) => run.status).sort()).toEqual(['SUCCEEDED', 'SUCCEEDED', 'WAITING', 'WAITING']);
    expect(JSON.stringify(untouched(after))).toContain('joann@example.com');
    expect(JSON.stringify(untouched(after))).toContain('ann@example.com.au');
    expect(await runsOf(admin, waits)).toHaveLength(2);
  });
});
