// A plugin's transaction-scoped lock on a key of its own in a workspace: what `lock(key)` is in commands, queue
// transactions and subscribers. Two 32-bit keys: the plugin and workspace, then the plugin's key (a hash collision
// only serialises more). Released when the transaction ends.
import type { ScopedTransaction } from '@crm/db';

export function pluginLock(tx: ScopedTransaction, pluginId: string, workspaceId: string): (key: string) => Promise<void> {
  return async (key) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`crm:plugin:${pluginId}:${workspaceId}`}), hashtext(${key}))`;
  };
}
