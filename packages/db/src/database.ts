import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { type Notifications, poolNotifications } from './notifications.js';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { DatabaseConfig } from './config.js';
import { lockDataDir } from './data-dir-lock.js';
import { DeadlineClient, DeadlinePool } from './deadline.js';
import { PrismaClient } from './generated/prisma/client.js';
import { applyMigrations, type MigrationReport } from './migrations/runner.js';
import { coreMigrations } from './migrations/folder.js';
import { exposeTransactionConnections } from './command-transaction.js';
import { enableDirectTransactions } from './direct-transaction.js';
import { observeAdapter, type SqlStatementObserver } from './observed-adapter.js';
import { statementNamer } from './statement-names.js';
import type { SqlDatabase, SqlSession } from './sql.js';

export type DatabaseKind = 'pglite' | 'postgres';

/** One open database: the Prisma client, a raw SQL handle, and how to close both. */
export interface Database {
  readonly kind: DatabaseKind;
  readonly prisma: PrismaClient;
  readonly sql: SqlDatabase;
  /** LISTEN/NOTIFY between the processes sharing the database (PostgreSQL); null on the embedded one (one process). */
  readonly notifications: Notifications | null;
  /** The connection pool's figures (PostgreSQL; the embedded database has one connection and no pool). */
  readonly pool?: PoolFigures;
  /** Applies pending migrations (core first, then `extra`, e.g. plugins'), under an advisory lock. */
  migrate(extra?: Parameters<typeof applyMigrations>[1]): Promise<MigrationReport>;
  close(): Promise<void>;
}

/** What a node-postgres pool tells about itself (read by the gateway's metrics). */
export interface PoolFigures {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

export interface OpenDatabaseOptions {
  /** Apply pending core migrations while opening. @default true */
  migrate?: boolean;
  /** Called for every SQL statement Prisma sends (query-count tests, debugging). */
  onQuery?: (event: { query: string; params: string; durationMs: number }) => void;
  /** Runs around every statement Prisma sends (the gateway's tracing). */
  observeSql?: SqlStatementObserver;
  /** PostgreSQL: prepare repeated statements once per connection (`statement-names.ts`). @default true */
  preparedStatements?: boolean;
}

function createPrismaClient(driver: SqlDriverAdapterFactory, options: OpenDatabaseOptions): PrismaClient {
  const adapter = options.observeSql ? observeAdapter(driver, options.observeSql) : driver;
  if (!options.onQuery) return new PrismaClient({ adapter });
  const prisma = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  const onQuery = options.onQuery;
  prisma.$on('query', (event) => onQuery({ query: event.query, params: event.params, durationMs: Number(event.duration) }));
  return prisma;
}

/** Extensions the schema needs; PGlite must load them when it starts. */
export const pgliteExtensions = { pg_trgm };

/** Opens the configured database. Close it with `close()` (an unclosed PGlite ends the process with code 99). */
export async function openDatabase(config: DatabaseConfig, options: OpenDatabaseOptions = {}): Promise<Database> {
  const database =
    config.kind === 'postgres'
      ? fromPool(postgresPool(config), { preparedStatements: config.preparedStatements ?? true, ...options })
      : await openPGlite(config.dataDir, options);
  if (options.migrate ?? true) {
    try {
      await database.migrate();
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

/**
 * The pool for PostgreSQL, with bounded waits: a connection (handshake included, e.g. a server that accepts but
 * never answers) within `timeoutMs`; a transaction its client left idle that long is ended by the server; a
 * statement whose client is gone is cancelled within a second (`client_connection_check_interval`). Statements
 * of a request give up at its deadline (`DeadlineClient`), also after waiting for a connection (`DeadlinePool`).
 */
export function postgresPool(config: Extract<DatabaseConfig, { kind: 'postgres' }>): pg.Pool {
  const timeoutMs = config.timeoutMs ?? 10_000;
  const pool = new DeadlinePool({
    connectionString: config.url,
    max: config.poolSize ?? 10,
    Client: DeadlineClient,
    connectionTimeoutMillis: timeoutMs,
    idle_in_transaction_session_timeout: timeoutMs,
    // UTC sessions: instants in the read engine's JSON carry `+00:00` whatever the server's default zone.
    options: '-c client_connection_check_interval=1000 -c timezone=UTC',
  });
  // A BEGIN no statement followed stays with the holder that sent it, never with the connection's next holder.
  pool.on('release', (_error: Error | undefined, client: pg.PoolClient) => (client as unknown as DeadlineClient).releaseHeldBegin());
  return pool;
}

async function openPGlite(dataDir: string, options: OpenDatabaseOptions): Promise<Database> {
  const release = dataDir.startsWith('memory://') ? () => {} : lockDataDir(dataDir);
  try {
    const pglite = await PGlite.create(dataDir, { extensions: pgliteExtensions });
    return fromPGlite(pglite, options, async () => {
      await pglite.close();
      release();
    });
  } catch (error) {
    release();
    throw error;
  }
}

/** Wraps an already open PGlite (tests load a migrated template into one). `close` closes it. */
export function fromPGlite(
  pglite: PGlite,
  options: OpenDatabaseOptions = {},
  close: () => Promise<void> = () => pglite.close(),
): Database {
  const session: SqlSession = {
    query: async <Row,>(text: string, params?: readonly unknown[]) =>
      (await pglite.query<Row>(text, params as unknown[] | undefined)).rows,
    exec: async (script) => {
      await pglite.exec(script);
    },
  };
  const sql: SqlDatabase = { ...session, withSession: (fn) => fn(session) };
  const prisma = createPrismaClient(new PrismaPGlite(pglite), options);
  return assemble('pglite', prisma, sql, null, async () => {
    await prisma.$disconnect();
    await close();
  });
}

/** Wraps a node-postgres pool. `close` ends it. */
export function fromPool(pool: pg.Pool, options: OpenDatabaseOptions = {}): Database {
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const sessionOf = (client: pg.Pool | pg.PoolClient): SqlSession => ({
    query: async <Row,>(text: string, params?: readonly unknown[]) =>
      (await client.query(text, params as unknown[] | undefined)).rows as Row[],
    exec: async (script) => {
      await client.query(script);
    },
  });
  const sql: SqlDatabase = {
    ...sessionOf(pool),
    async withSession(fn) {
      const client = await pool.connect();
      try {
        return await fn(sessionOf(client));
      } finally {
        client.release();
      }
    },
  };
  const hooks = { ...(options.onQuery ? { onQuery: options.onQuery } : {}), ...(options.observeSql ? { observeSql: options.observeSql } : {}) };
  const prisma = createPrismaClient(
    // A command's raw statements go to its transaction's connection, reported to the same hooks (command-transaction.ts).
    exposeTransactionConnections(new PrismaPg(pool, (options.preparedStatements ?? true) ? { statementNameGenerator: statementNamer() } : {}), hooks),
    options,
  );
  // Commands open their transactions on the pool themselves, Prisma's only when they use it (direct-transaction.ts).
  enableDirectTransactions(prisma, { pool, hooks });
  const notifications = poolNotifications(pool);
  const database = assemble('postgres', prisma, sql, notifications, async () => {
    await notifications.close();
    await prisma.$disconnect();
    await pool.end();
  });
  return { ...database, pool };
}

function assemble(kind: DatabaseKind, prisma: PrismaClient, sql: SqlDatabase, notifications: Notifications | null, close: () => Promise<void>): Database {
  let closed: Promise<void> | undefined;
  return {
    kind,
    prisma,
    sql,
    notifications,
    migrate: (extra = []) => applyMigrations(sql, [...coreMigrations(), ...extra]),
    close: () => (closed ??= close()),
  };
}
