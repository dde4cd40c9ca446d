// For tests that make interleavings on purpose on PostgreSQL (on a connection of their own, support.ts
// `ownConnection`): the plugin's locks as its transactions take them (the SDK's `lock(key)`, plugin-lock.ts), to hold
// one there or to see who waits for it.
import type pg from 'pg';

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
