// A plugin's transaction-scoped lock on a key of its own in a workspace: what `lock(key)` is in commands, queue
// transactions and subscribers. Two 32-bit keys: the plugin and workspace, then the plugin's key (a hash collision
// only serialises more). Released when the transaction ends.
// A raw statement of the transaction (@crm/db executeRawIn): the `sql` and `rows` statements called after it, even
// without waiting for it, run after it, so a read under the lock can go in the same round trip (its snapshot is taken
// when it starts, once the lock is held).
import { executeRawIn, type ScopedTransaction } from '@crm/db';

const LOCK = 'SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))';
/** Several keys in one statement, taken in the array's order (the function scan's, as `unnest` yields them). */
const LOCK_ALL = 'SELECT count(pg_advisory_xact_lock(hashtext($1), hashtext(k))) FROM unnest($2::text[]) AS k';
const SHARED = 'SELECT pg_advisory_xact_lock_shared(hashtext($1), hashtext($2))';
const SHARED_ALL = 'SELECT count(pg_advisory_xact_lock_shared(hashtext($1), hashtext(k))) FROM unnest($2::text[]) AS k';

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
 * locking overlapping sets wait for each other instead of deadlocking.
 */
export type PluginLock = (keys: string | readonly string[], options?: LockOptions) => Promise<void>;

export function pluginLock(tx: ScopedTransaction, pluginId: string, workspaceId: string): PluginLock {
  return async (keys, options) => {
    const scope = `crm:plugin:${pluginId}:${workspaceId}`;
    const [one, all] = options?.shared ? [SHARED, SHARED_ALL] : [LOCK, LOCK_ALL];
    if (typeof keys === 'string') {
      await executeRawIn(tx, one, scope, keys);
      return;
    }
    const sorted = [...new Set(keys)].sort();
    if (sorted.length === 1) await executeRawIn(tx, one, scope, sorted[0]);
    else if (sorted.length) await executeRawIn(tx, all, scope, sorted);
  };
}
