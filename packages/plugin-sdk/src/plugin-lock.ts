// A plugin's transaction-scoped lock on a key of its own in a workspace: what `lock(key)` is in commands, queue
// transactions and subscribers. Two 32-bit keys: the plugin and workspace, then the plugin's key (a hash collision
// only serialises more). Released when the transaction ends.
// A raw statement of the transaction (@crm/db executeRawIn): the `sql` and `rows` statements called after it, even
// without waiting for it, run after it, so a read under the lock can go in the same round trip (its snapshot is taken
// when it starts, once the lock is held).
// The statement answers the database's time (`statement_timestamp()`): a command that needs "now" by the database's
// clock (a schedule's first firing from a publish) has it from the lock it takes anyway, with no statement more.
import { queryRawIn, type ScopedTransaction } from '@crm/db';

const LOCK = 'SELECT statement_timestamp() AS now FROM pg_advisory_xact_lock(hashtext($1), hashtext($2))';
/** Several keys in one statement, taken in the array's order (the function scan's, as `unnest` yields them). */
const LOCK_ALL = 'SELECT count(pg_advisory_xact_lock(hashtext($1), hashtext(k))) AS locked, statement_timestamp() AS now FROM unnest($2::text[]) AS k';
const SHARED = 'SELECT statement_timestamp() AS now FROM pg_advisory_xact_lock_shared(hashtext($1), hashtext($2))';
const SHARED_ALL = 'SELECT count(pg_advisory_xact_lock_shared(hashtext($1), hashtext(k))) AS locked, statement_timestamp() AS now FROM unnest($2::text[]) AS k';

export interface LockOptions {
  /**
   * Held alongside other shared holders of the key: only an exclusive `lock` of it waits for them (to their
   * transactions' end), and they for it. Many transactions that must not overlap one rare other (runs starting, and an
   * erasure) without waiting for each other.
   */
  shared?: boolean;
}

/**
 * `lock(key)`, or `lock(keys)`: all of them in one statement, in sorted order (each once), so that two transactions
 * locking overlapping sets wait for each other instead of deadlocking. Resolves to the database's time of the lock's
 * statement (`statement_timestamp()`: when it was sent, before any wait for the lock), or null for no keys (no statement).
 */
export interface PluginLock {
  (key: string, options?: LockOptions): Promise<Date>;
  (keys: string | readonly string[], options?: LockOptions): Promise<Date | null>;
}

export function pluginLock(tx: ScopedTransaction, pluginId: string, workspaceId: string): PluginLock {
  const lock = async (keys: string | readonly string[], options?: LockOptions): Promise<Date | null> => {
    const scope = `crm:plugin:${pluginId}:${workspaceId}`;
    const [one, all] = options?.shared ? [SHARED, SHARED_ALL] : [LOCK, LOCK_ALL];
    const sorted = typeof keys === 'string' ? [keys] : [...new Set(keys)].sort();
    if (!sorted.length) return null;
    const [row] = await (sorted.length === 1 ? queryRawIn<{ now: Date }>(tx, one, scope, sorted[0]) : queryRawIn<{ now: Date }>(tx, all, scope, sorted));
    return new Date(row!.now);
  };
  return lock as PluginLock;
}
