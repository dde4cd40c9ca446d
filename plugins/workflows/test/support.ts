// Shared by the workflow tests: a receiver for HTTP steps, GraphQL documents, and helpers that create, publish and
// enable a workflow and wait for its runs.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import competitorFeedback from '@crm/plugin-competitor-feedback';
import { testPostgresUrl } from '@crm/db/testing';
import { type PluginTestGateway, type PluginTestOptions, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local HTTP server that records what it receives and answers with `status()` (after `before()` resolves). */
export async function startReceiver(status: () => number = () => 200, before: () => Promise<void> = () => Promise.resolve()) {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      void before().then(() => response.writeHead(status()).end('ok'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A customer by name, and a run of a workflow on one record: the mutations most tests start from. */
export const CUSTOMER = `mutation ($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;
export const RUN = `mutation ($id: ID!, $recordId: ID!) { runWorkflow(input: { id: $id, recordId: $recordId }) { run { id } } }`;
export const CREATE = `mutation ($name: String!, $definition: JSON) { createWorkflow(input: { name: $name, definition: $definition }) { workflow { id enabled } } }`;
export const UPDATE = `mutation ($id: ID!, $definition: JSON) { updateWorkflowDraft(input: { id: $id, definition: $definition }) { workflow { id draft } } }`;
export const PUBLISH = `mutation ($id: ID!) { publishWorkflow(input: { id: $id }) { version { number trigger } workflow { publishedVersion { number } } } }`;
export const ENABLE = `mutation ($id: ID!, $enabled: Boolean!) { setWorkflowEnabled(input: { id: $id, enabled: $enabled }) { workflow { enabled } } }`;
export const RUNS = `query ($id: ID, $recordId: ID) { workflowRuns(workflowId: $id, recordId: $recordId, first: 50) {
  id status error depth recordId triggerId version { number }
  steps { stepId kind status attempts input output error durationMs dueAt } } }`;

/** Between tests: every enabled workflow switched off, and what they set off settled. */
export async function switchAllOff(kit: PluginTestGateway, client: TestClient): Promise<void> {
  for (const { id } of (await client.query(`{ workflows { id enabled } }`)).workflows.filter((w: { enabled: boolean }) => w.enabled)) {
    await client.query(ENABLE, { id, enabled: false });
  }
  await kit.settled();
}

export async function publishedWorkflow(client: TestClient, name: string, definition: unknown): Promise<string> {
  const id = (await client.query(CREATE, { name, definition })).createWorkflow.workflow.id as string;
  await client.query(PUBLISH, { id });
  await client.query(ENABLE, { id, enabled: true });
  return id;
}

export interface RunView {
  id: string;
  status: string;
  error: string | null;
  depth: number;
  recordId: string | null;
  triggerId: string;
  version: { number: number };
  steps: { stepId: string; kind: string; status: string; attempts: number; input: any; output: any; error: string | null; durationMs: number | null; dueAt: string | null }[];
}

export async function runsOf(client: TestClient, workflowId: string): Promise<RunView[]> {
  return (await client.query(RUNS, { id: workflowId })).workflowRuns as RunView[];
}

/** Polls until `check` passes (the runs are asynchronous: subscribers, then queue workers). */
export async function eventually<T>(kit: PluginTestGateway, check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await kit.settled();
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The workflow's runs once `count` of them have finished (or are waiting, with `waiting`). */
export async function finishedRuns(
  kit: PluginTestGateway,
  client: TestClient,
  workflowId: string,
  count: number,
  settledStatuses = ['SUCCEEDED', 'FAILED', 'CANCELLED'],
  timeoutMs = 15_000,
) {
  return eventually(
    kit,
    async () => {
      const runs = await runsOf(client, workflowId);
      expect(runs.filter((r) => settledStatuses.includes(r.status))).toHaveLength(count);
      return runs;
    },
    timeoutMs,
  );
}

/** Inserts `count` runs (SUCCEEDED) of a new published workflow in the client's workspace, finished at `finishedAt` (retention's tests). */
export async function insertFinishedRuns(kit: PluginTestGateway, client: TestClient, workspace: string, count: number, finishedAt: string) {
  const globalId = await publishedWorkflow(client, 'Bulk', { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 'tag', kind: 'addTag', tag: 'x' }] });
  const workflowId = Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
  const [version] = await kit.database.prisma.$queryRawUnsafe<{ id: string }[]>('SELECT id FROM "WorkflowVersion" WHERE "workflowId" = $1::uuid LIMIT 1', workflowId);
  await kit.database.prisma.$executeRawUnsafe(
    `INSERT INTO "WorkflowRun" (id, "workspaceId", "workflowId", "versionId", "triggerId", status, trigger, "finishedAt")
     SELECT gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, 'bulk-' || g, 'SUCCEEDED', '{}', $5::timestamptz FROM generate_series(1, $4::int) g`,
    workspace,
    workflowId,
    version!.id,
    count,
    finishedAt,
  );
}
/** A gateway with the plugin (short leases, quick polls) and competitor-feedback; the first workspace's ADMIN client and a second workspace's. */
export async function startTwoWorkspaces(otherName: string, options: Pick<PluginTestOptions, 'jobTimers'> = {}): Promise<{ kit: PluginTestGateway; admin: TestClient; other: TestClient }> {
  const kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 2000 }), competitorFeedback], ...options });
  return { kit, admin: kit.workspace.client, other: (await kit.createWorkspace(otherName)).client };
}

/** Defines the custom object `Contract` in the client's workspace, with these custom fields (`defineCustomField` inputs). */
export async function defineContract(client: TestClient, fields: Record<string, Record<string, unknown>>): Promise<string> {
  const id = (await client.query(`mutation { defineCustomObject(input: { name: "Contract", label: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject.id as string;
  for (const [name, field] of Object.entries(fields)) {
    await client.query(`mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`, { i: { customObjectId: id, name, ...field } });
  }
  return id;
}

/** Asks `check` every 100 ms until it answers something (not undefined); throws after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The row id inside a global id (`base64("Type:uuid")`), for tests that read or lock rows directly. */
export const rowIdOf = (globalId: string): string => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

/**
 * A connection of the test's own to the gateway's PostgreSQL database (a `database: 'postgres'` kit): the tests that make
 * interleavings on purpose hold a row or an advisory lock on it. The caller ends it.
 */
export async function ownConnection(kit: PluginTestGateway): Promise<pg.Client> {
  const [database] = await kit.database.prisma.$queryRawUnsafe<{ name: string }[]>('SELECT current_database() AS name');
  const url = new URL(testPostgresUrl());
  url.pathname = `/${database!.name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

/**
 * For a file of PostgreSQL tests that make interleavings: a gateway with the plugin (quick polls, a 5 s lease) started
 * before its tests (handed to `started`: the gateway and its ADMIN client) and closed after them.
 */
export function usePostgresGateway(started: (gateway: { kit: PluginTestGateway; admin: TestClient }) => void): void {
  let kit: PluginTestGateway | undefined;
  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport(), pollMs: 50, leaseMs: 5000 })], database: 'postgres' });
    started({ kit, admin: kit.workspace.client });
  }, 120_000);
  afterAll(async () => {
    await kit?.close();
  });
}

/** Backends of the kit's PostgreSQL database waiting for a lock (a row's, an advisory lock). */
export async function databaseLockWaiters(kit: PluginTestGateway): Promise<number> {
  const [row] = await kit.database.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return row!.n;
}
