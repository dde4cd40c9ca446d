// The HTTP step: methods, its own headers, the answer's body as output for later steps (JSON parsed, size-capped), the
// publish checks; failures classed (a 4xx or a refused target fails at once, a 5xx / 408 / 429 / timeout / connection
// error is tried again, no sooner than Retry-After); and the SSRF policy as production has it (a gateway that does not
// allow private targets refuses a loopback, private or link-local URL: a permanent failure, nothing sent).
import { createHmac } from 'node:crypto';
import dns from 'node:dns/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { isNonPublicAddress } from '@crm/core';
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { CREATE, eventually, finishedRuns, PUBLISH, publishedWorkflow, type RunView, runsOf, switchAllOff } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;
const HOOK = `query ($id: ID!) { workflow(id: $id) { webhookPath signingSecret } }`;
const CANCEL = `mutation ($id: ID!) { cancelWorkflowRun(input: { id: $id }) { run { status } } }`;
/** The gateway's time limit for one request in these tests (a receiver that never answers runs into it). */
const TIMEOUT_MS = 3000;

interface Hit {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}
type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A local HTTP server answering each path as `reply(hit, n)` says (n: the how-manieth request to that path, from 1). */
async function startServer(reply: (hit: Hit, n: number) => Reply) {
  const hits: Hit[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const hit = { method: request.method!, path: request.url!, headers: request.headers, body, at: Date.now() };
      hits.push(hit);
      const answer = reply(hit, hits.filter((h) => h.path === hit.path).length);
      if (answer !== 'hang') response.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    hits: (path: string) => hits.filter((h) => h.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** This machine's name and address, when the name resolves to a non-public address (null otherwise, or unresolved). */
const privateName = await dns.lookup(os.hostname()).then(
  ({ address }) => (isNonPublicAddress(address) ? { host: os.hostname(), address } : null),
  () => null,
);

const json = (body: unknown, status = 200): Reply => ({ status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) });
const BIG = 'x'.repeat(100 * 1024);

const server = await startServer((hit, n) => {
  switch (hit.path.split('?')[0]) {
    case '/customers/7':
      return json({ customer: { name: 'Ada', score: 9, tags: ['vip'] } });
    case '/save':
      return { status: 201, headers: { 'content-type': 'text/plain' }, body: `saved ${hit.method}` };
    case '/big':
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: BIG };
    case '/big.json':
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ blob: BIG }) };
    case '/gone':
      return { status: 404, body: 'no such thing' };
    case '/invalid':
      return json({ error: 'name is required' }, 422);
    case '/moved':
      return { status: 302, headers: { location: 'http://169.254.169.254/' } };
    case '/flaky':
      return n === 1 ? { status: 503, body: 'busy' } : json({ ok: true });
    case '/slow-down':
      return n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : json({ ok: true });
    case '/timeout-then-ok':
      return n === 1 ? { status: 408 } : json({ ok: true });
    case '/too-many':
      return { status: 429, headers: { 'retry-after': '7200' } };
    case '/down':
      return { status: 500, body: 'down' };
    case '/hang':
      return 'hang';
    default:
      return { status: 200 };
  }
});

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({
    plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 30_000 })],
    webhooks: { allowPrivateTargets: true, timeoutMs: TIMEOUT_MS },
  });
  admin = kit.workspace.client;
  // Two tries, the second at once (unless the receiver asks for a wait): what is retried shows as attempts: 2.
  await admin.query(SETTINGS, { settings: { stepAttempts: 2, retryBackoffMs: 0 } });
});
afterEach(() => switchAllOff(kit, admin));
afterAll(async () => {
  await kit?.close();
  await server.close();
});

/** A workflow started by its webhook URL with `payload`, and its runs once `count` finished. */
async function hooked(client: TestClient, name: string, steps: unknown[]): Promise<{ id: string; start(payload?: unknown): Promise<string> }> {
  const id = await publishedWorkflow(client, name, { trigger: { kind: 'webhook' }, steps });
  const { webhookPath } = (await client.query(HOOK, { id })).workflow;
  return {
    id,
    async start(payload = {}) {
      const answer = await fetch(`${kit.url}${webhookPath}`, { method: 'POST', body: JSON.stringify(payload) });
      expect(answer.status).toBe(202);
      return ((await answer.json()) as { runId: string }).runId;
    },
  };
}

async function onlyRun(client: TestClient, workflow: { id: string; start(payload?: unknown): Promise<string> }, payload?: unknown): Promise<RunView> {
  await workflow.start(payload);
  const [run] = await finishedRuns(kit, client, workflow.id, 1, undefined, 30_000);
  return run!;
}

describe('methods, headers and the answer', () => {
  it('GET with headers, then PUT built from the answer’s JSON body; a later step reads it by its typed path', async () => {
    const flow = await hooked(admin, 'Enrich', [
      { id: 'fetch', kind: 'httpRequest', method: 'GET', url: server.url('/customers/7'), headers: { 'X-Api-Key': 'key-{{trigger.event.payload.tenant}}', Accept: 'application/json' } },
      { id: 'save', kind: 'httpRequest', method: 'PUT', url: server.url('/save'), body: { name: '{{steps.fetch.output.body.customer.name}}', score: '{{steps.fetch.output.body.customer.score}}' } },
      { id: 'task', kind: 'createTask', title: 'Call {{steps.fetch.output.body.customer.name}} ({{steps.save.output.body}})' },
    ]);
    const run = await onlyRun(admin, flow, { tenant: 'acme' });
    expect(run.status).toBe('SUCCEEDED');
    const [fetched, saved, task] = run.steps;
    expect(fetched!.output).toEqual({ status: 200, body: { customer: { name: 'Ada', score: 9, tags: ['vip'] } }, truncated: false });
    expect(saved!.output).toEqual({ status: 201, body: 'saved PUT', truncated: false });
    expect(task!.output.title).toBe('Call Ada (saved PUT)');

    const { signingSecret } = (await admin.query(HOOK, { id: flow.id })).workflow;
    const verifies = (hit: Hit) => {
      const [t, v1] = String(hit.headers['x-crm-signature']).split(',');
      return v1 === `v1=${createHmac('sha256', signingSecret).update(`${t!.slice(2)}.${hit.body}`).digest('hex')}`;
    };
    const [get] = server.hits('/customers/7');
    expect(get).toMatchObject({ method: 'GET', body: '' });
    expect(get!.headers).toMatchObject({ 'x-api-key': 'key-acme', accept: 'application/json', 'idempotency-key': `${Buffer.from(run.id, 'base64').toString().split(':')[1]}:fetch` });
    expect(get!.headers['content-type']).toBeUndefined();
    expect(verifies(get!)).toBe(true);
    const [put] = server.hits('/save');
    expect(put!.method).toBe('PUT');
    expect(put!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(put!.body)).toMatchObject({ stepId: 'save', data: { name: 'Ada', score: 9 } });
    expect(verifies(put!)).toBe(true);
  });

  it('PATCH, DELETE and POST (the default); an answer over 64 KiB is cut (text: its start; JSON: null), truncated: true', async () => {
    const flow = await hooked(admin, 'Methods', [
      { id: 'patch', kind: 'httpRequest', method: 'PATCH', url: server.url('/save') },
      { id: 'remove', kind: 'httpRequest', method: 'DELETE', url: server.url('/save') },
      { id: 'post', kind: 'httpRequest', url: server.url('/save') },
      { id: 'big', kind: 'httpRequest', method: 'GET', url: server.url('/big') },
      { id: 'bigJson', kind: 'httpRequest', method: 'GET', url: server.url('/big.json') },
    ]);
    const run = await onlyRun(admin, flow);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.slice(0, 3).map((s) => s.output.body)).toEqual(['saved PATCH', 'saved DELETE', 'saved POST']);
    expect(run.steps[3]!.output).toEqual({ status: 200, body: BIG.slice(0, 64 * 1024), truncated: true });
    expect(run.steps[4]!.output).toEqual({ status: 200, body: null, truncated: true });
  });

  it('a header a template fills with a line break (header injection) fails the step at once; nothing is sent', async () => {
    const flow = await hooked(admin, 'Injected', [{ id: 'call', kind: 'httpRequest', url: server.url('/save?injected'), headers: { 'X-Note': '{{trigger.event.payload.note}}' } }]);
    const run = await onlyRun(admin, flow, { note: 'hello\r\nX-Evil: 1' });
    expect(run.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1, error: 'headers.X-Note: A header value is one line of Latin-1 text (no control characters, nothing beyond U+00FF)' });
    expect(server.hits('/save?injected')).toHaveLength(0);
  });

  it('publish checks: the method, reserved and malformed headers, a GET body, a header value on two lines, unknown output keys', async () => {
    const id = (await admin.query(CREATE, { name: 'Checked', definition: null })).createWorkflow.workflow.id;
    const refusal = async (step: Record<string, unknown>, next: unknown[] = []) => {
      await admin.query(`mutation ($id: ID!, $definition: JSON) { updateWorkflowDraft(input: { id: $id, definition: $definition }) { workflow { id } } }`, {
        id,
        definition: { trigger: { kind: 'webhook' }, steps: [{ id: 'h', kind: 'httpRequest', url: server.url('/save'), ...step }, ...next] },
      });
      return (await admin.request(PUBLISH, { id })).errors?.[0]?.extensions;
    };
    expect(await refusal({ method: 'TRACE' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.method' });
    expect(await refusal({ headers: { 'Idempotency-Key': 'mine' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.headers.Idempotency-Key' });
    expect(await refusal({ headers: { 'X-CRM-Signature': 'forged' } })).toMatchObject({ field: 'definition.steps.0.headers.X-CRM-Signature' });
    expect(await refusal({ headers: { 'Content-Type': 'text/xml' } })).toMatchObject({ field: 'definition.steps.0.headers.Content-Type' });
    expect(await refusal({ headers: { 'Bad Name': 'x' } })).toMatchObject({ field: 'definition.steps.0.headers.Bad Name' });
    expect(await refusal({ headers: { 'X-Ok': 'a\r\nX-Injected: b' } })).toMatchObject({ field: 'definition.steps.0.headers.X-Ok' });
    expect(await refusal({ method: 'GET', body: { a: 1 } })).toMatchObject({ field: 'definition.steps.0.body' });
    expect(await refusal({}, [{ id: 't', kind: 'createTask', title: '{{steps.h.output.headers}}' }])).toMatchObject({ field: 'definition.steps.1.title' });
    expect(await refusal({ headers: { 'X-Ok': '{{steps.nope.output.id}}' } })).toMatchObject({ field: 'definition.steps.0.headers.X-Ok' });
    // The output's types: `status` is a number (not a date for a wait); `body`'s shape is the other side's (it passes).
    expect(await refusal({}, [{ id: 'w', kind: 'wait', until: '{{steps.h.output.status}}' }])).toMatchObject({ field: 'definition.steps.1.until' });
    expect(await refusal({}, [{ id: 'w', kind: 'wait', until: '{{steps.h.output.body.closesAt}}' }])).toBeUndefined();
    expect(await refusal({ method: 'DELETE', headers: { Authorization: 'Bearer {{trigger.event.payload.token}}' } }, [{ id: 't', kind: 'createTask', title: '{{steps.h.output.body.deep.key}} {{steps.h.output.status}}' }])).toBeUndefined();
  });

  it('publish checks the URL as the sender will (http or https, no credentials, a host): one that could never be sent is refused', async () => {
    const id = (await admin.query(CREATE, { name: 'Checked URL', definition: null })).createWorkflow.workflow.id;
    const published = async (url: string) => {
      await admin.query(`mutation ($id: ID!, $definition: JSON) { updateWorkflowDraft(input: { id: $id, definition: $definition }) { workflow { id } } }`, {
        id,
        definition: { trigger: { kind: 'webhook' }, steps: [{ id: 'h', kind: 'httpRequest', url }] },
      });
      const answer = await admin.request(PUBLISH, { id });
      return answer.errors?.[0] ? { message: answer.errors[0].message, ...answer.errors[0].extensions } : 'published';
    };
    const refused = (message: RegExp) => ({ code: 'BAD_USER_INPUT', field: 'definition.steps.0.url', message: expect.stringMatching(message) });
    expect(await published('ftp://files.example/')).toMatchObject(refused(/Only http and https/));
    expect(await published('file:///etc/passwd')).toMatchObject(refused(/Only http and https/));
    expect(await published('https://user:secret@api.example/')).toMatchObject(refused(/Credentials in the URL/));
    // Templates in the path and query are filled in when the step runs (the sender checks the whole URL then).
    expect(await published(`${server.url('/save')}/{{trigger.event.payload.id}}?at={{trigger.event.payload.at}}`)).toBe('published');
  });
});

describe('failures: for good, or tried again', () => {
  const failing = (name: string, path: string) => hooked(admin, name, [{ id: 'call', kind: 'httpRequest', url: server.url(path) }]);

  it('a 4xx answer (404, 422) or a redirect fails the run at once: one try, the answer in the error', async () => {
    for (const [path, status] of [['/gone', 'HTTP 404: no such thing'], ['/invalid', 'HTTP 422'], ['/moved', 'HTTP 302 (redirects are not followed)']] as const) {
      const run = await onlyRun(admin, await failing(`Permanent ${path}`, path));
      expect(run.status).toBe('FAILED');
      expect(run.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
      expect(run.steps[0]!.error).toContain(status);
      expect(run.steps[0]!.error).toContain('not tried again');
      expect(server.hits(path)).toHaveLength(1);
    }
  });

  it('a 5xx or a 408 answer is tried again; one that keeps failing fails the run after stepAttempts tries', async () => {
    for (const path of ['/flaky', '/timeout-then-ok']) {
      const run = await onlyRun(admin, await failing(`Passing ${path}`, path));
      expect(run.status).toBe('SUCCEEDED');
      expect(run.steps[0]).toMatchObject({ status: 'SUCCEEDED', attempts: 2, output: { status: 200, body: { ok: true } } });
    }
    const down = await onlyRun(admin, await failing('Down', '/down'));
    expect(down.steps[0]).toMatchObject({ status: 'FAILED', attempts: 2, error: 'HTTP 500: down' });
    expect(server.hits('/down')).toHaveLength(2);
  });

  it('no answer in time, or no connection: tried again, then the run fails saying why', async () => {
    const hang = await onlyRun(admin, await failing('Hangs', '/hang'));
    expect(hang.steps[0]).toMatchObject({ status: 'FAILED', attempts: 2, error: `No answer within ${TIMEOUT_MS} ms` });
    expect(server.hits('/hang')).toHaveLength(2);
    // A port nothing listens on.
    const closed = await startServer(() => ({ status: 200 }));
    const deadUrl = closed.url('/nobody');
    await closed.close();
    const flow = await hooked(admin, 'Nobody', [{ id: 'call', kind: 'httpRequest', url: deadUrl }]);
    const refused = await onlyRun(admin, flow);
    expect(refused.steps[0]).toMatchObject({ status: 'FAILED', attempts: 2 });
    expect(refused.steps[0]!.error).toContain('ECONNREFUSED');
  });

  it('Retry-After is honoured: the next try waits for it (capped at an hour)', async () => {
    // 503 with Retry-After: 1 (the backoff is 0): the second request comes no sooner than a second after the first.
    const run = await onlyRun(admin, await failing('Slow down', '/slow-down'));
    expect(run.steps[0]).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    const [first, second] = server.hits('/slow-down');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);

    // 429 with Retry-After: 7200: the step waits, due in an hour (the cap), not two.
    const flow = await failing('Too many', '/too-many');
    const sentAt = Date.now();
    await flow.start();
    const [waiting] = await eventually(kit, async () => {
      const runs = await runsOf(admin, flow.id);
      expect(runs[0]!.steps[0]).toMatchObject({ status: 'PENDING', attempts: 1, error: 'HTTP 429' });
      return runs;
    });
    const due = new Date(waiting!.steps[0]!.dueAt!).getTime();
    expect(due).toBeGreaterThanOrEqual(sentAt + 3_600_000 - 1000);
    expect(due).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
    expect(server.hits('/too-many')).toHaveLength(1);
    await admin.query(CANCEL, { id: waiting!.id });
  });
});

describe('the SSRF policy as in production', () => {
  let strict: PluginTestGateway;
  beforeAll(async () => {
    // No `webhooks` option: the gateway's default, loopback, private and link-local targets refused.
    strict = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 30_000 })] });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('a loopback, private or link-local target is refused: the step fails at once, nothing is sent', async () => {
    const client = strict.workspace.client;
    for (const url of [server.url('/save?ssrf'), `http://localhost:${server.port}/save?ssrf`, `http://[::1]:${server.port}/save?ssrf`, 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/']) {
      const id = await publishedWorkflow(client, `SSRF ${url}`, { trigger: { kind: 'webhook' }, steps: [{ id: 'call', kind: 'httpRequest', url }] });
      const { webhookPath } = (await client.query(HOOK, { id })).workflow;
      expect((await fetch(`${strict.url}${webhookPath}`, { method: 'POST', body: '{}' })).status).toBe(202);
      const [run] = await finishedRuns(strict, client, id, 1);
      expect(run!.status).toBe('FAILED');
      expect(run!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
      expect(run!.steps[0]!.error).toBe('The target is refused: Loopback, private and link-local addresses cannot receive webhooks on this server');
    }
    expect(server.hits('/save?ssrf')).toHaveLength(0);
    await switchAllOff(strict, client);
  });

  // Needs this machine's name to resolve (/etc/hosts) to a non-public address: reported as skipped where it does not.
  // The connect-time check itself always runs in apps/gateway/test/outbound-request.test.ts (a given resolver).
  it.runIf(privateName)('a name that DNS resolves to a non-public address is refused at connect time, for good too; the run history does not tell the address', async () => {
    const client = strict.workspace.client;
    const { host, address } = privateName!;
    const id = await publishedWorkflow(client, 'SSRF by name', { trigger: { kind: 'webhook' }, steps: [{ id: 'call', kind: 'httpRequest', url: `http://${host}:${server.port}/save?ssrf-name` }] });
    const { webhookPath } = (await client.query(HOOK, { id })).workflow;
    expect((await fetch(`${strict.url}${webhookPath}`, { method: 'POST', body: '{}' })).status).toBe(202);
    const [run] = await finishedRuns(strict, client, id, 1);
    // The history is the tenant's: the address the name resolves to (an internal network's) stays in the server log.
    expect(run!.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1, error: `The target is refused: ${host} resolves to a loopback, private or link-local address (the SSRF policy)` });
    expect(run!.steps[0]!.error).not.toContain(address);
    expect(server.hits('/save?ssrf-name')).toHaveLength(0);
    await switchAllOff(strict, client);
  });
});
