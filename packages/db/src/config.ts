import path from 'node:path';

/** Which database the process uses; read from the environment by {@link databaseConfigFromEnv}. */
export type DatabaseConfig =
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /**
       * Bounds waits on the server: getting a connection, and a transaction left idle by its client (the server
       * ends it). Requests' statements are bounded by the request deadline (deadline.ts). @default 10000
       */
      timeoutMs?: number;
      /**
       * Prepare repeated statements once per connection (`DATABASE_PREPARED_STATEMENTS=off` turns it off, for a
       * connection pooler in transaction mode that cannot keep prepared statements). @default true
       */
      preparedStatements?: boolean;
    }
  | {
      kind: 'pglite';
      /** A directory, or `memory://` for a throwaway database. */
      dataDir: string;
    };

/**
 * `DATABASE_URL` selects PostgreSQL; otherwise the embedded database in `CRM_DATA_DIR`.
 * @default `./.crm-data` for the embedded database
 */
export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    const poolSize = env.DATABASE_POOL_SIZE ? Number(env.DATABASE_POOL_SIZE) : undefined;
    const timeoutMs = requestTimeoutFromEnv(env);
    const prepared = env.DATABASE_PREPARED_STATEMENTS?.trim().toLowerCase();
    if (prepared && !['on', 'off'].includes(prepared)) throw new Error(`DATABASE_PREPARED_STATEMENTS must be on or off (got "${prepared}")`);
    return { kind: 'postgres', url, ...(poolSize ? { poolSize } : {}), timeoutMs, preparedStatements: prepared !== 'off' };
  }
  const dir = env.CRM_DATA_DIR?.trim() || './.crm-data';
  return { kind: 'pglite', dataDir: dir.startsWith('memory://') ? dir : path.resolve(dir) };
}

export function describeDatabase(config: DatabaseConfig): string {
  if (config.kind === 'pglite') return `embedded PostgreSQL (PGlite) at ${config.dataDir}`;
  const url = new URL(config.url);
  return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

/** `REQUEST_TIMEOUT_MS`: how long a request may take (and the database timeouts derived from it). @default 10000 */
export function requestTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.REQUEST_TIMEOUT_MS?.trim();
  if (!raw) return 10_000;
  const ms = Number(raw);
  if (!/^\d+$/.test(raw) || ms < 100) throw new Error(`REQUEST_TIMEOUT_MS must be a whole number of milliseconds, at least 100 (got "${raw}")`);
  return ms;
}
