// For tests that make interleavings on purpose on PostgreSQL: a connection of the test's own to the gateway's
// database, and the plugin's locks as its transactions take them (the SDK's `lock(key)`, plugin-lock.ts), to hold one
// here or to see who waits for it.
import { testPostgresUrl } from '@crm/db/testing';
import type { PluginTestGateway } from '@crm/plugin-testing';
import pg from 'pg';

/** A connection of the test's own to the gateway's database. End it. */
export async function ownConnection(kit: PluginTestGateway): Promise<pg.Client> {
  const [database] = await kit.database.prisma.$queryRawUnsafe<{ name: string }[]>('SELECT current_database() AS name');
  const url = new URL(testPostgresUrl());
  url.pathname = `/${database!.name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

/** The two keys of the workflows plugin's lock on a key of a workspace, as SQL arguments ($1: the workspace id, $2: the key). */
export const PLUGIN_LOCK = `hashtext('crm:plugin:workflows:' || $1), hashtext($2)`;

/** Backends holding (`held`) or waiting for (`waiting`) the plugin's lock on `key` (`run:<id>`, `admission`), or both (`any`). */
export async function pluginLockers(client: pg.Client, workspaceId: string, key: string, which: 'held' | 'waiting' | 'any'): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks l
     WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.classid::int = hashtext('crm:plugin:workflows:' || $1) AND l.objid::int = hashtext($2)
       AND ($3 = 'any' OR l.granted = ($3 = 'held'))`,
    [workspaceId, key, which],
  );
  return Number(rows[0]!.n);
}

/** Backends of the database (the client's own aside) waiting for a lock: a row's, an advisory lock. */
export async function lockWaiters(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
  );
  return Number(rows[0]!.n);
}
