// A plugin's transaction-scoped lock on a key of its own in a workspace: what `lock(key)` is in commands, queue
// transactions and subscribers. Two 32-bit keys: the plugin and workspace, then the plugin's key (a hash collision
// only serialises more). Released when the transaction ends.
// A raw statement of the transaction (@crm/db executeRawIn): the `sql` and `rows` statements called after it, even
// without waiting for it, run after it, so a read under the lock can go in the same round trip (its snapshot is taken
// when it starts, once the lock is held).
import { executeRawIn, type ScopedTransaction } from '@crm/db';

const LOCK = 'SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))';

export function pluginLock(tx: ScopedTransaction, pluginId: string, workspaceId: string): (key: string) => Promise<void> {
  return async (key) => {
    await executeRawIn(tx, LOCK, `crm:plugin:${pluginId}:${workspaceId}`, key);
  };
}
