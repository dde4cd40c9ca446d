// A real gateway for tests: HTTP on a free port, a fresh database (PGlite from the migrated template, or a
// throwaway PostgreSQL database), authenticated clients per workspace, and a recorder of SQL statements.
import { createWorkspace, type CreatedWorkspace } from '@crm/core';
import type { Database, Migration } from '@crm/db';
import { createTestPostgres, ensurePGliteTemplate, openTemplateDatabase } from '@crm/db/testing';
import type { GraphQLFormattedError } from 'graphql';
import { createGateway, type Gateway, type GatewayOptions } from '../gateway.js';
import { createLogger } from '../logger.js';

export { openWsClient, SubscriptionCollector } from './ws.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: GraphQLFormattedError[];
}

/** A GraphQL-over-HTTP client bound to one API key (or none). */
export class TestClient {
  constructor(
    readonly url: string,
    readonly apiKey: string | null,
  ) {}

  /** The raw response: status, data and errors. */
  async request<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<GraphQLResponse<T>> {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
      },
      body: JSON.stringify({ query, variables, operationName }),
    });
    const body = (await response.json()) as { data?: T | null; errors?: GraphQLFormattedError[] };
    return { status: response.status, ...body };
  }

  /** The data; throws with the errors when there are any. */
  async query<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await this.request<T>(query, variables);
    if (result.errors?.length) {
      throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
    }
    return result.data as T;
  }

  /**
   * A GraphQL multipart request (the graphql-multipart-request-spec) sending `content` as the file in
   * `variables.file`: how CSV imports are uploaded.
   */
  async upload<T = Record<string, any>>(query: string, variables: Record<string, unknown>, content: string, fileName = 'upload.csv'): Promise<GraphQLResponse<T>> {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query, variables: { ...variables, file: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob([content], { type: 'text/csv' }), fileName);
    const response = await fetch(`${this.url}/graphql`, { method: 'POST', headers: this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}, body: form });
    const body = (await response.json()) as { data?: T | null; errors?: GraphQLFormattedError[] };
    return { status: response.status, ...body };
  }

  /** The `extensions.code` of the first error, for asserting failures. */
  async errorCode(query: string, variables?: Record<string, unknown>): Promise<string | undefined> {
    const result = await this.request(query, variables);
    return result.errors?.[0]?.extensions?.code as string | undefined;
  }
}

export interface TestWorkspace extends CreatedWorkspace {
  /** A client with the workspace's ADMIN key. */
  client: TestClient;
}

/** Records the SQL statements Prisma sends, to prove a query's statement count does not grow with its page. */
/**
 * Whether `sql` is the read engine's one statement: its JSON form (`data`) or its row form (one row per edge of a
 * root list, or the row of a by-id root field, `packages/graph/src/engine/row-form.ts`).
 */
export const isReadEngineStatement = (sql: string): boolean =>
  (sql.startsWith('SELECT json_build_object(') && sql.includes('AS data')) ||
  sql.startsWith('SELECT h."switchedOff", h.head, r.* FROM') ||
  sql.startsWith('SELECT h."switchedOff", r.* FROM');

export class SqlRecorder {
  statements: string[] = [];
  /** The same statements with their parameters (a JSON array, as Prisma logs them): to EXPLAIN one as it ran. */
  withParams: { query: string; params: string }[] = [];
  private recording = false;
  record = (event: { query: string; params: string }) => {
    // Authentication is never what a query-count test measures, and its fire-and-forget `lastUsedAt` write
    // (at most once a minute per key) would otherwise land in whichever window happens to be open.
    if (this.recording && !event.query.includes('"ApiKey"')) {
      this.statements.push(event.query);
      this.withParams.push({ query: event.query, params: event.params });
    }
  };
  /** Runs `fn` and returns the statements it caused. */
  async during(fn: () => Promise<unknown>): Promise<string[]> {
    this.statements = [];
    this.withParams = [];
    this.recording = true;
    try {
      await fn();
    } finally {
      this.recording = false;
    }
    return [...this.statements];
  }
}

export interface TestGatewayOptions extends Omit<GatewayOptions, 'database'> {
  /** @default 'pglite' */
  database?: 'pglite' | 'postgres';
  /** Applied after core's (plugins' migrations: `host.migrations`). */
  migrations?: readonly Migration[];
}

export interface TestGateway {
  url: string;
  /** The graphql-ws endpoint (ws://…/graphql). */
  wsUrl: string;
  gateway: Gateway;
  database: Database;
  sql: SqlRecorder;
  /** A first workspace, created at start. */
  workspace: TestWorkspace;
  createWorkspace(name?: string): Promise<TestWorkspace>;
  /** A client with any key (or none). */
  client(apiKey?: string | null): TestClient;
  /** Issues another key for a workspace. */
  issueKey(workspaceId: string, role: 'ADMIN' | 'MEMBER' | 'READ_ONLY'): Promise<TestClient>;
  /**
   * Starts subscriptions and resolves once the gateway has `count` more live subscribers than before: from then on,
   * every event committed reaches them (an event stream reads its start position before it counts).
   */
  subscribed<T>(start: () => T, count?: number, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const sql = new SqlRecorder();
  let drop: () => Promise<void>;
  let database: Database;
  if (options.database === 'postgres') {
    const pg = await createTestPostgres(options.migrations ?? [], { onQuery: sql.record });
    database = pg.database;
    drop = pg.drop;
  } else {
    database = await openTemplateDatabase(await ensurePGliteTemplate(options.migrations ?? []), { onQuery: sql.record });
    drop = () => database.close();
  }
  // The month-end snapshot job is off unless a test asks for it: its fits (a minute after start) would change the
  // figures of tests whose fixtures have orders in past months. The planner-statistics job runs only when asked
  // (`gateway.plannerStatistics.runOnce()`): its rounds would add statements to what tests count, and change plans.
  // A loaded CI machine can make any request slow: the deadline is generous here unless a test is about it.
  const gateway = createGateway({
    logger: createLogger(process.env.LOG_LEVEL === 'info' ? 'info' : 'error'),
    monthEndSnapshots: false,
    plannerStatistics: { intervalMs: 0 },
    requestTimeoutMs: 120_000,
    trashRetention: { days: null },
    ...options,
    database,
  });
  const url = await gateway.listen(0);
  const newWorkspace = async (name = 'Test workspace'): Promise<TestWorkspace> => {
    const created = await createWorkspace(database.prisma, { name });
    return { ...created, client: new TestClient(url, created.apiKey) };
  };
  const workspace = await newWorkspace('Workspace A');
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    gateway,
    database,
    sql,
    workspace,
    createWorkspace: newWorkspace,
    client: (apiKey = null) => new TestClient(url, apiKey),
    async issueKey(workspaceId, role) {
      const { issueApiKey } = await import('@crm/core');
      const key = await issueApiKey(database.prisma, { workspaceId, name: `test ${role}`, role });
      return new TestClient(url, key.apiKey);
    },
    async subscribed(start, count = 1, timeoutMs = 30_000) {
      const before = gateway.liveSubscribers;
      const started = start();
      const deadline = Date.now() + timeoutMs;
      while (gateway.liveSubscribers < before + count) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} live subscriber(s)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return started;
    },
    async close() {
      await gateway.close(1000);
      await drop();
    },
  };
}
export { customerListQuery } from './list-query.js';
