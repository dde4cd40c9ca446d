// A workflow's webhook URL is its own credential (plugins/workflows/src/triggers/webhook.ts): the access log line, the
// request's trace span (name and url.path) and the metrics never carry its token, only `:token` (logged-path.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '@crm/db';
import { ensurePGliteTemplate, openTemplateDatabase } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { type Logger, silentLogger } from '../src/logger.js';
import { startTracingFromEnv, type Tracing } from '../src/tracing/tracing.js';

interface ReceivedSpan {
  name: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

const received: ReceivedSpan[] = [];
const logged: string[] = [];
const record = (message: string, fields?: unknown) => logged.push(`${message} ${JSON.stringify(fields)}`);
const logger: Logger = { info: record, warn: record, error: record };
let receiver: http.Server;
let tracing: Tracing;
let database: Database;
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: { scopeSpans: { spans: ReceivedSpan[] }[] }[] };
      for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) received.push(...scope.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  tracing = (await startTracingFromEnv(silentLogger, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }))!;
  database = await openTemplateDatabase(await ensurePGliteTemplate(), { observeSql: tracing.observeSql });
  gateway = createGateway({ database, logger, tracing, monthEndSnapshots: false, clvRefresh: false });
  url = await gateway.listen(0);
});

afterAll(async () => {
  await gateway?.close(1000);
  await database?.close();
  await tracing?.shutdown();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('a webhook URL in the access log and traces', () => {
  it('shows the workspace and workflow but not the token', async () => {
    const token = 'Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC10b2tlbi1hdC1hbGw';
    const prefix = '/plugins/workflows/hooks/5d1c2f0e-0000-4000-8000-000000000001/8a3e1c52-0000-4000-8000-000000000002/';
    const response = await fetch(`${url}${prefix}${token}?source=test`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    await response.arrayBuffer();
    // The same URL as a request target in absolute form (as a proxy sends it): still no token in the log.
    const absoluteToken = 'YWJzb2x1dGUtZm9ybS10b2tlbi1mb3ItdGVzdHMtb25seS1ub3QtcmVhbA';
    const target = new URL(url);
    await new Promise<void>((resolve, reject) => {
      const request = http.request({ host: target.hostname, port: target.port, method: 'POST', path: `${url}${prefix}${absoluteToken}`, headers: { 'content-type': 'application/json' } }, (answer) => {
        answer.resume();
        answer.on('end', resolve);
      });
      request.on('error', reject);
      request.end('{}');
    });
    await gateway.close(1000);
    await tracing.shutdown(); // flushes the batch

    const line = logged.find((l) => l.startsWith('request '));
    expect(line).toContain(`"path":"${prefix}:token"`);
    const span = received.find((s) => s.name.startsWith('POST /plugins/'));
    expect(span?.name).toBe(`POST ${prefix}:token`);
    expect(span?.attributes.find((a) => a.key === 'url.path')?.value.stringValue).toBe(`${prefix}:token`);
    expect(JSON.stringify(received)).not.toContain(token);
    expect(logged.join('\n')).not.toContain(token);
    expect(JSON.stringify(received)).not.toContain(absoluteToken);
    expect(logged.join('\n')).not.toContain(absoluteToken);
    expect(logged.filter((l) => l.startsWith('request ')).length).toBe(2);
  });
});
