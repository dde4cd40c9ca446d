import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWorkspace } from '@crm/core';
import type { Database } from '@crm/db';
import { ensurePGliteTemplate, openTemplateDatabase } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { TestClient } from '../src/testing/index.js';
import { startTracingFromEnv, type Tracing } from '../src/tracing/tracing.js';

// A local OTLP/HTTP receiver on loopback stands in for the collector; the gateway exports to it because
// OTEL_EXPORTER_OTLP_ENDPOINT names it.

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

const received: ReceivedSpan[] = [];
const paths: string[] = [];
let receiver: http.Server;
let tracing: Tracing;
let database: Database;
let gateway: Gateway;
let client: TestClient;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      paths.push(req.url ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: { scopeSpans: { spans: ReceivedSpan[] }[] }[] };
      for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) received.push(...scope.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  tracing = (await startTracingFromEnv(silentLogger, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }))!;
  database = await openTemplateDatabase(await ensurePGliteTemplate(), { observeSql: tracing.observeSql });
  gateway = createGateway({ database, logger: silentLogger, tracing, monthEndSnapshots: false, clvRefresh: false });
  const url = await gateway.listen(0);
  const workspace = await createWorkspace(database.prisma, { name: 'Traced' });
  client = new TestClient(url, workspace.apiKey);
});

afterAll(async () => {
  await gateway?.close(1000);
  await database?.close();
  await tracing?.shutdown();
  await new Promise((resolve) => receiver?.close(resolve));
});

const attribute = (span: ReceivedSpan, key: string) => span.attributes.find((a) => a.key === key)?.value.stringValue;

describe('OpenTelemetry traces', () => {
  it('is not started (nor OpenTelemetry loaded) without OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    expect(await startTracingFromEnv(silentLogger, {})).toBeNull();
  });

  it('exports request → GraphQL operation → SQL statement spans over OTLP/HTTP', async () => {
    // The caller's trace context (W3C traceparent) is continued.
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const response = await fetch(`${client.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${client.apiKey}`, traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify({ query: `mutation Traced { createCustomer(input: { name: "Traced customer" }) { customer { id } } }` }),
    });
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    await gateway.close(1000);
    await tracing.shutdown(); // flushes the batch

    expect(paths).toContain('/v1/traces');
    const trace = received.filter((span) => span.traceId === traceId);
    const request = trace.find((span) => span.name === 'POST /graphql');
    expect(request?.parentSpanId).toBe(callerSpan);
    const operation = trace.find((span) => span.name === 'graphql Traced');
    expect(operation?.parentSpanId).toBe(request!.spanId);
    const sql = trace.filter((span) => span.name.startsWith('db '));
    // Authentication reads the key under the request span; the command's statements run under the operation's.
    for (const span of sql) expect([request!.spanId, operation!.spanId]).toContain(span.parentSpanId);
    const statements = sql.filter((span) => span.parentSpanId === operation!.spanId);
    expect(statements.length).toBeGreaterThan(2);
    expect(statements.some((span) => /INSERT INTO ("public"\.)?"Customer"/.test(attribute(span, 'db.query.text') ?? ''))).toBe(true);
    expect(attribute(operation!, 'graphql.operation.type')).toBe('mutation');
  });
});
