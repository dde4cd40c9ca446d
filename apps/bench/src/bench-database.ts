import { createWorkspace, issueApiKey, seedWorkspace } from '@crm/core';
import { type Database, openDatabase } from '@crm/db';
import pg from 'pg';

const BENCH_WORKSPACE = 'Benchmark';

export interface BenchWorkspace {
  workspaceId: string;
  apiKey: string;
}

/** Creates the database if missing (never drops anything). */
export async function ensurePostgresDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The benchmark workspace (`name`) with `customers` seeded customers (reused when a previous run left exactly that),
 * and a fresh READ_ONLY key for it.
 */
export async function ensureBenchWorkspace(database: Database, customers: number, log: (line: string) => void, name = BENCH_WORKSPACE): Promise<BenchWorkspace> {
  const { prisma } = database;
  let workspace = await prisma.workspace.findFirst({ where: { name } });
  if (workspace && (await prisma.customer.count({ where: { workspaceId: workspace.id } })) !== customers) {
    log(`re-seeding: the existing workspace ${name} has a different size`);
    await prisma.workspace.delete({ where: { id: workspace.id } });
    workspace = null;
  }
  if (!workspace) {
    const created = await createWorkspace(prisma, { name });
    const started = Date.now();
    let lastLogged = 0;
    await seedWorkspace(prisma, created.workspaceId, {
      customers,
      seed: 42,
      onProgress: (progress) => {
        if (Date.now() - lastLogged > 2000) {
          lastLogged = Date.now();
          log(`seeding: ${JSON.stringify(progress)}`);
        }
      },
    });
    log(`seeded ${customers} customers in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return benchWorkspaceKey(database, name);
}

/** A fresh READ_ONLY key for the existing benchmark workspace `name` (an error when it is missing). */
export async function benchWorkspaceKey(database: Database, name = BENCH_WORKSPACE): Promise<BenchWorkspace> {
  const workspace = await database.prisma.workspace.findFirst({ where: { name } });
  if (!workspace) throw new Error(`no benchmark workspace "${name}": run without --skip-seed first`);
  const key = await issueApiKey(database.prisma, { workspaceId: workspace.id, name: 'benchmark', role: 'READ_ONLY' });
  return { workspaceId: workspace.id, apiKey: key.apiKey };
}

export async function openBenchDatabase(config: Parameters<typeof openDatabase>[0], onQuery?: (e: { query: string }) => void) {
  return openDatabase(config, onQuery ? { onQuery: (e) => onQuery(e) } : {});
}
