// The SMTP transport, against a real SMTP server in this process (smtp-server): a `sendEmail` step's message arrives
// with its sender, recipient, subject, text and idempotency header; a recipient the server refuses for good (5xx) fails
// the run at once, one it refuses for now (4xx) is tried again.
import type { AddressInfo } from 'node:net';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { smtpTransport, workflowsPlugin } from '../src/index.js';
import { finishedRuns, publishedWorkflow, switchAllOff } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

interface Received {
  from: string;
  to: string[];
  raw: string;
}

const received: Received[] = [];
const refusal = (message: string, responseCode: number) => Object.assign(new Error(message), { responseCode });
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onRcptTo(address, _session, callback) {
    if (address.address.startsWith('bounce@')) return callback(refusal('No such mailbox', 550));
    if (address.address.startsWith('later@')) return callback(refusal('Mailbox busy, try later', 451));
    callback();
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
      callback();
    });
  },
});

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: smtpTransport(`smtp://127.0.0.1:${port}`), pollMs: 50, leaseMs: 30_000 })] });
  admin = kit.workspace.client;
  // A sender on the default sender's domain, which the operator always allows (plain-values.test.ts: other domains).
  await admin.query(SETTINGS, { settings: { emailFrom: 'workflows@localhost', stepAttempts: 2, retryBackoffMs: 0 } });
});
afterAll(async () => {
  await kit?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function mailRun(name: string, to: string) {
  const id = await publishedWorkflow(admin, name, {
    trigger: { kind: 'webhook' },
    steps: [{ id: 'mail', kind: 'sendEmail', to, subject: 'Welcome, {{trigger.event.payload.name}}', text: 'Hello {{trigger.event.payload.name}}, your account is ready.' }],
  });
  const { webhookPath } = (await admin.query(`query ($id: ID!) { workflow(id: $id) { webhookPath } }`, { id })).workflow;
  expect((await fetch(`${kit.url}${webhookPath}`, { method: 'POST', body: JSON.stringify({ name: 'Ada' }) })).status).toBe(202);
  const [run] = await finishedRuns(kit, admin, id, 1, undefined, 30_000);
  await switchAllOff(kit, admin);
  return run!;
}

it('a sendEmail step’s message arrives over SMTP: sender, recipient, subject, text, idempotency key', async () => {
  const run = await mailRun('Welcome mail', 'ada@example.com');
  expect(run.status).toBe('SUCCEEDED');
  expect(received).toHaveLength(1);
  const [message] = received;
  expect(message!.from).toBe('workflows@localhost');
  expect(message!.to).toEqual(['ada@example.com']);
  const [head, body] = message!.raw.split('\r\n\r\n');
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(head!)?.[1];
  expect(header('From')).toBe('workflows@localhost');
  expect(header('To')).toBe('ada@example.com');
  expect(header('Subject')).toBe('Welcome, Ada');
  expect(header('X-Idempotency-Key')).toBe(`${Buffer.from(run.id, 'base64').toString().split(':')[1]}:mail`);
  expect(header('Message-ID')).toBe(run.steps[0]!.output.messageId);
  expect(body!.trim()).toBe('Hello Ada, your account is ready.');
});

it('a recipient refused for good (550) fails the run at once; one refused for now (451) is tried again', async () => {
  const bounced = await mailRun('Bounce', 'bounce@example.com');
  expect(bounced.status).toBe('FAILED');
  expect(bounced.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
  expect(bounced.steps[0]!.error).toContain('The mail server refused the message');
  expect(bounced.steps[0]!.error).toContain('550');

  const deferred = await mailRun('Deferred', 'later@example.com');
  expect(deferred.steps[0]).toMatchObject({ status: 'FAILED', attempts: 2 });
  expect(deferred.steps[0]!.error).toContain('451');
  expect(received).toHaveLength(1); // only the first test's message was accepted
});
