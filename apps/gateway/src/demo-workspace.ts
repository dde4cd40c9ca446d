import fs from 'node:fs';
import path from 'node:path';
import { createWorkspace, seedWorkspace } from '@crm/core';
import type { Database, DatabaseConfig } from '@crm/db';

/** How many customers the demo workspace gets on first start. */
export const DEMO_CUSTOMERS = 300;

export interface DemoWorkspace {
  workspaceId: string;
  /** Null when it cannot be shown again (PostgreSQL, after the start that created it). */
  apiKey: string | null;
  created: boolean;
}

const keyFile = (config: DatabaseConfig) => (config.kind === 'pglite' && !config.dataDir.startsWith('memory://') ? path.join(config.dataDir, 'demo-api-key') : null);

/**
 * On an empty database: creates "Demo workspace" with sample data. The embedded database is a local demo, so its
 * admin key is kept in the data directory (mode 0600) and shown at every start; on PostgreSQL it is shown once.
 */
export async function ensureDemoWorkspace(database: Database, config: DatabaseConfig): Promise<DemoWorkspace | null> {
  const file = keyFile(config);
  if ((await database.prisma.workspace.count()) > 0) {
    if (!file || !fs.existsSync(file)) return null;
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { workspaceId: string; apiKey: string };
    return { ...saved, created: false };
  }
  const demo = await createWorkspace(database.prisma, { name: 'Demo workspace' });
  await seedWorkspace(database.prisma, demo.workspaceId, { customers: DEMO_CUSTOMERS, seed: 2026 });
  if (file) fs.writeFileSync(file, JSON.stringify({ workspaceId: demo.workspaceId, apiKey: demo.apiKey }), { mode: 0o600 });
  return { workspaceId: demo.workspaceId, apiKey: demo.apiKey, created: true };
}
