import fs from 'node:fs';
import path from 'node:path';
import { ApiKeyVerifier, CommandRunner, createWorkspace, fitClvModel, seedWorkspace, systemSession } from '@crm/core';
import type { Database, DatabaseConfig } from '@crm/db';
import type { PluginHost } from '@crm/plugin-sdk/host';

/** How many customers the demo workspace gets on first start. */
export const DEMO_CUSTOMERS = 300;
/** Fixed, so every fresh start shows the same demo data. */
const DEMO_SEED = 2026;

export interface DemoWorkspace {
  /** The ADMIN key to show, or null when it cannot be shown (PostgreSQL after the first start, key file gone or revoked). */
  apiKey: string | null;
  /** Created by this start (with its sample data). */
  created: boolean;
  /** Where the key is kept between starts, when it is. */
  keyFile: string | null;
}

/** The embedded database is a local demo: its admin key is kept beside the data, readable by the owner only. */
export function demoKeyFile(config: DatabaseConfig): string | null {
  return config.kind === 'pglite' && !config.dataDir.startsWith('memory://') ? path.join(config.dataDir, 'demo-api-key') : null;
}

/**
 * On a database without workspaces: creates "Demo workspace" with sample data and returns its ADMIN key. Later
 * starts on the embedded database read the key back from the data directory; on PostgreSQL it is shown once.
 * Gateways starting together on an empty PostgreSQL database create one demo workspace between them.
 */
export async function ensureDemoWorkspace(database: Database, config: DatabaseConfig, plugins?: PluginHost): Promise<DemoWorkspace> {
  const keyFile = demoKeyFile(config);
  return database.sql.withSession(async (session) => {
    // A session-level advisory lock: the second gateway waits, then finds the workspace made by the first.
    await session.query(`SELECT pg_advisory_lock(hashtext('crm:demo-workspace'))`);
    try {
      if ((await database.prisma.workspace.count()) > 0) return { apiKey: await savedKey(database, keyFile), created: false, keyFile };
      const demo = await createWorkspace(database.prisma, { name: 'Demo workspace' });
      await seedWorkspace(database.prisma, demo.workspaceId, { customers: DEMO_CUSTOMERS, seed: DEMO_SEED });
      await plugins?.seed(database.prisma, demo.workspaceId, { seed: DEMO_SEED });
      // The seed writes rows, not events, so no background refit follows: fit once so that analytics show at once.
      await fitClvModel(new CommandRunner({ prisma: database.prisma }).callerFor(systemSession(demo.workspaceId)), { trigger: 'background' });
      if (keyFile) fs.writeFileSync(keyFile, `${demo.apiKey}\n`, { mode: 0o600 });
      return { apiKey: demo.apiKey, created: true, keyFile };
    } finally {
      await session.query(`SELECT pg_advisory_unlock(hashtext('crm:demo-workspace'))`);
    }
  });
}

/** The saved demo key, if the file is still there and the key still works. */
async function savedKey(database: Database, keyFile: string | null): Promise<string | null> {
  if (!keyFile || !fs.existsSync(keyFile)) return null;
  const text = fs.readFileSync(keyFile, 'utf8').trim();
  // Data directories made by the first version hold {"workspaceId","apiKey"}.
  const apiKey = text.startsWith('{') ? String((JSON.parse(text) as { apiKey?: unknown }).apiKey ?? '') : text;
  return (await new ApiKeyVerifier(database.prisma).verify(apiKey)) ? apiKey : null;
}
