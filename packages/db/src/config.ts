import path from 'node:path';

/** Which database the process uses; read from the environment by {@link databaseConfigFromEnv}. */
export type DatabaseConfig =
  | { kind: 'postgres'; url: string; poolSize?: number }
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
    return poolSize ? { kind: 'postgres', url, poolSize } : { kind: 'postgres', url };
  }
  const dir = env.CRM_DATA_DIR?.trim() || './.crm-data';
  return { kind: 'pglite', dataDir: dir.startsWith('memory://') ? dir : path.resolve(dir) };
}

export function describeDatabase(config: DatabaseConfig): string {
  if (config.kind === 'pglite') return `embedded PostgreSQL (PGlite) at ${config.dataDir}`;
  const url = new URL(config.url);
  return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}
