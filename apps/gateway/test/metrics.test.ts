import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerListQuery, startTestGateway, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
let guarded: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ rateLimit: { perMinute: 6, burst: 3 } });
  guarded = await startTestGateway({ metrics: { token: 'scrape-secret' } });
});
afterAll(async () => {
  await t?.close();
  await guarded?.close();
});

async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(`${url}/metrics`, { headers });
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
}

/** The value of one sample (`name{labels} value`); 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0]!;
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

describe('/metrics', () => {
  it('serves the Prometheus text format to a loopback client', async () => {
    const { status, text, type } = await scrape(t.url);
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    for (const name of ['crm_http_requests_total', 'crm_live_subscribers', 'crm_webhook_deliveries_pending', 'crm_plugin_deliveries_failed', 'crm_event_bus_lag_seconds', 'process_cpu_user_seconds_total']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  it('moves when requests happen: counts by operation and status, latency, outcomes, projection declines', async () => {
    const before = (await scrape(t.url)).text;
    const client = await t.issueKey(t.workspace.workspaceId, 'ADMIN');
    await client.query(`query Viewer { viewer { role } }`);
    await client.query(`query Viewer { viewer { role } }`);
    const missing = await client.request(`query Missing { customer(id: "nope") { id } }`);
    expect(missing.status).toBe(200);
    const after = (await scrape(t.url)).text;
    const labels = { route: 'graphql', operation: 'Viewer', status: '200' };
    expect(sample(after, 'crm_http_requests_total', labels) - sample(before, 'crm_http_requests_total', labels)).toBe(2);
    const latency = { route: 'graphql', operation: 'Viewer' };
    expect(sample(after, 'crm_http_request_duration_seconds_count', latency) - sample(before, 'crm_http_request_duration_seconds_count', latency)).toBe(2);
    expect(sample(after, 'crm_graphql_operations_total', { operation: 'Viewer', code: 'ok' })).toBe(2);
    expect(sample(after, 'crm_graphql_operations_total', { operation: 'Missing' })).toBe(1);
    // `viewer` is not a field the read engine answers: each went to the resolvers, and the metric says why.
    const declined = { reason: 'Query.viewer' };
    expect(sample(after, 'crm_read_engine_declines_total', declined) - sample(before, 'crm_read_engine_declines_total', declined)).toBe(2);
  });

  it('counts a mutation as an operation the read engine declined ("not a query"), the gateway not compiling it', async () => {
    const client = await guarded.issueKey(guarded.workspace.workspaceId, 'ADMIN');
    const read = async () => (await scrape(guarded.url, { authorization: 'Bearer scrape-secret' })).text;
    // (The reason holds a space, which `sample` splits on.)
    const notAQuery = (text: string) =>
      Number(text.split('\n').find((line) => line.startsWith('crm_read_engine_declines_total{reason="not a query"} '))?.split(' ').at(-1) ?? 0);
    const before = notAQuery(await read());
    await client.query(`mutation { createCustomer(input: { name: "Declined Ada" }) { customer { id } } }`);
    expect(notAQuery(await read()) - before).toBe(1);
  });

  it('does not count the customer list the read engine answers as a decline', async () => {
    const client = await t.issueKey(t.workspace.workspaceId, 'ADMIN');
    const total = (text: string) =>
      text.split('\n').filter((line) => line.startsWith('crm_read_engine_declines_total{')).reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    const before = total((await scrape(t.url)).text);
    await client.query(customerListQuery, { first: 5 });
    expect(total((await scrape(t.url)).text)).toBe(before);
  });

  it('counts a computed field the engine leaves to its resolver as a deferred field, not a declined operation', async () => {
    const client = await t.issueKey(t.workspace.workspaceId, 'ADMIN');
    const before = (await scrape(t.url)).text;
    await client.query(`{ customers(first: 2) { edges { node { name satisfaction { responses } } } } viewer { role } }`);
    const after = (await scrape(t.url)).text;
    const declines = (text: string) =>
      text.split('\n').filter((line) => line.startsWith('crm_read_engine_declines_total{')).reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    expect(declines(after)).toBe(declines(before));
    // (Reasons hold spaces, which `sample` splits on.)
    const deferred = (text: string, reason: string) =>
      Number(text.split('\n').find((line) => line.startsWith(`crm_read_engine_deferred_fields_total{reason="${reason}"} `))?.split(' ').at(-1) ?? 0);
    for (const reason of ['Customer.satisfaction is not declared', 'Query.viewer']) {
      const delta = deferred(after, reason) - deferred(before, reason);
      expect(delta, reason).toBe(1);
    }
  });

  it('counts rate-limit hits', async () => {
    const client = await t.issueKey(t.workspace.workspaceId, 'READ_ONLY');
    for (let i = 0; i < 4; i++) await client.request(`{ viewer { role } }`);
    const text = (await scrape(t.url)).text;
    expect(sample(text, 'crm_rate_limited_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'crm_http_requests_total', { route: 'graphql', status: '429' })).toBeGreaterThanOrEqual(1);
  });

  it('measures the event bus lag and the live subscribers', async () => {
    const before = sample((await scrape(t.url)).text, 'crm_event_bus_lag_seconds_count');
    const key = await t.issueKey(t.workspace.workspaceId, 'MEMBER');
    await key.query(`mutation { createCompany(input: { name: "Lag" }) { company { id } } }`);
    const text = (await scrape(t.url)).text;
    expect(sample(text, 'crm_event_bus_lag_seconds_count')).toBeGreaterThan(before);
    expect(sample(text, 'crm_live_subscribers')).toBe(t.gateway.liveSubscribers);
  });

  it('refuses clients that came through a proxy, unless they send the token', async () => {
    const proxied = await scrape(t.url, { 'x-forwarded-for': '203.0.113.9' });
    expect(proxied.status).toBe(403);
    expect(proxied.text).not.toContain('crm_');
  });

  it('with METRICS_TOKEN, serves only requests that carry it', async () => {
    expect((await scrape(guarded.url)).status).toBe(401);
    expect((await scrape(guarded.url, { authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await scrape(guarded.url, { authorization: 'Bearer scrape-secret', 'x-forwarded-for': '203.0.113.9' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('crm_http_requests_total');
  });

  it('is absent when turned off', async () => {
    const off = await startTestGateway({ metrics: false });
    try {
      expect((await scrape(off.url)).status).toBe(404);
      expect(off.gateway.metrics).toBeNull();
    } finally {
      await off.close();
    }
  });
});
