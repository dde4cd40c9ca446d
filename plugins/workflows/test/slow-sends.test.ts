// Slow receivers against the step queue's lease (issue 17): a step being sent (email, HTTP) stays claimed for as long
// as its send may take (its sender's time limit plus a lease), so a mail server greeting, or an HTTP receiver answering,
// later than the lease is waited for and the message or request is sent once; and the email's send is bounded: a server
// that never greets fails the step with a timeout, long before nodemailer's own limits (2 min to connect, 30 s for the
// greeting).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { smtpTransport, workflowsPlugin } from '../src/index.js';
import { finishedRuns, publishedWorkflow, runsOf, switchAllOff } from './support.js';

/** The queue's lease: the shortest definePlugin accepts. */
const LEASE_MS = 1000;
/** The transport's limit for one message (connecting and the greeting: half of it). */
const SMTP_TIMEOUT_MS = 6000;

const received: string[] = [];
/** Greets after `greetAfterMs`; never while `silent`; answers a message's end after `answerAfterMs`. */
let greetAfterMs = 0;
let silent = false;
let answerAfterMs = 0;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onConnect(_session, callback) {
    if (silent) return; // never greets
    setTimeout(() => callback(), greetAfterMs);
  },
  onData(stream, session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => {
      received.push(session.envelope.rcptTo.map((r) => r.address).join(','));
      setTimeout(() => callback(), answerAfterMs);
    });
  },
});

/** An HTTP receiver answering 200 after twice the lease; counts the requests. */
const hits: string[] = [];
const receiver = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    hits.push(String(request.headers['idempotency-key']));
    setTimeout(() => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), 2 * LEASE_MS);
  });
});

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  const mail = smtpTransport(`smtp://127.0.0.1:${port}`, { timeoutMs: SMTP_TIMEOUT_MS });
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail, pollMs: 50, leaseMs: LEASE_MS })],
    webhooks: { allowPrivateTargets: true, timeoutMs: 6000 },
  });
  admin = kit.workspace.client;
  await admin.query(
    `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`,
    { settings: { emailFrom: 'workflows@localhost', stepAttempts: 1 } },
  );
});
afterAll(async () => {
  await kit?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function mailRun(name: string, to: string, retry?: Record<string, unknown>) {
  return hookedRun(name, { id: 'mail', kind: 'sendEmail', to, subject: 'Hi', text: 'Hello', ...(retry ? { retry } : {}) });
}

async function hookedRun(name: string, step: Record<string, unknown>) {
  const id = await publishedWorkflow(admin, name, { trigger: { kind: 'webhook' }, steps: [step] });
  const { webhookPath } = (await admin.query(`query ($id: ID!) { workflow(id: $id) { webhookPath } }`, { id })).workflow;
  expect((await fetch(`${kit.url}${webhookPath}`, { method: 'POST', body: '{}' })).status).toBe(202);
  const [run] = await finishedRuns(kit, admin, id, 1, undefined, 30_000);
  await switchAllOff(kit, admin);
  return { ...run!, workflowId: id };
}

it('a server that greets after twice the lease: the step waits for it, SUCCEEDED, the message sent once', async () => {
  greetAfterMs = 2 * LEASE_MS;
  const run = await mailRun('Slow greeting', 'ada@example.com');
  expect(run.error).toBeNull();
  expect(run.status).toBe('SUCCEEDED');
  expect(run.steps[0]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  expect(run.steps[0]!.durationMs).toBeGreaterThanOrEqual(2 * LEASE_MS);
  // Nothing claims it again later either (its hold ended with its completion).
  await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
  expect(received).toEqual(['ada@example.com']);
  const [after] = await runsOf(admin, run.workflowId);
  expect(after!.steps[0]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
});

it('a server that never greets: the step fails with the transport’s timeout, not "Interrupted" by a later claim', async () => {
  silent = true;
  const run = await mailRun('Silent server', 'bob@example.com');
  expect(run.status).toBe('FAILED');
  expect(run.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
  // The bound it names is the one it had: connecting, the greeting and TLS share half the limit (before: the whole
  // limit was named, 30000 ms by default after 15 s).
  expect(run.steps[0]!.error).toContain(`The mail server did not answer within ${SMTP_TIMEOUT_MS / 2} ms, connecting, greeting and TLS together`);
  expect(run.steps[0]!.error).toContain('Greeting never received');
  // Bounded by the transport's limit (the greeting's half of it), far from nodemailer's default 30 s for a greeting.
  expect(run.steps[0]!.durationMs).toBeLessThan(20_000);
  expect(received).toEqual(['ada@example.com']);
});

it('a server that takes the message and answers late: the whole message’s limit fails the step for good, not sent again', async () => {
  // Each silence (the greeting's 0.4×, the answer's 0.8× the limit) is shorter than nodemailer's own phase limits:
  // only the whole message's limit ends the send (without it the send would succeed after 1.2× the limit).
  silent = false;
  greetAfterMs = 0.4 * SMTP_TIMEOUT_MS;
  answerAfterMs = 0.8 * SMTP_TIMEOUT_MS;
  const run = await mailRun('Late answer', 'cy@example.com', { attempts: 2, backoff: { seconds: 1 } });
  expect(run.status).toBe('FAILED');
  expect(run.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
  expect(run.steps[0]!.error).toContain(`The mail server gave no answer within ${SMTP_TIMEOUT_MS} ms; not sent again: the server may have accepted it`);
  expect(run.steps[0]!.durationMs).toBeLessThan(1.2 * SMTP_TIMEOUT_MS);
  // No second attempt later either (a retry would have been claimed a second after the first failed).
  await new Promise((resolve) => setTimeout(resolve, 2 * SMTP_TIMEOUT_MS));
  expect(received.filter((to) => to === 'cy@example.com')).toEqual(['cy@example.com']);
  const [after] = await runsOf(admin, run.workflowId);
  expect(after!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
  answerAfterMs = 0;
  greetAfterMs = 0;
});

it('an HTTP receiver that answers after twice the lease: the request is sent once (not again by a later claim), SUCCEEDED', async () => {
  const { port } = receiver.address() as AddressInfo;
  const run = await hookedRun('Slow receiver', { id: 'call', kind: 'httpRequest', url: `http://127.0.0.1:${port}/slow` });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.steps[0]).toMatchObject({ status: 'SUCCEEDED', attempts: 1, output: { status: 200 } });
  await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
  expect(hits).toEqual([`${Buffer.from(run.id, 'base64').toString().split(':')[1]}:call`]);
});
