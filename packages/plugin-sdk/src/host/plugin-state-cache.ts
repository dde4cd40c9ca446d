// The plugins' switches and settings of a workspace, as the host's background work reads them (subscriber deliveries,
// queue rounds, the transactions of queue items and routes): once per workspace per process while nothing changes,
// instead of a read of the workspace row in every transaction. Forgotten when `plugin.switched` or
// `plugin.settings_updated` commits here or arrives on the bus from another instance (core's workspace-fact-cache.ts),
// and after 10 s at most; a switch flipped on another instance holds here once its event has arrived (milliseconds).
import type { CommandRunner } from '@crm/core';
import type { ScopedPrisma, ScopedTransaction } from '@crm/db';
import { type PluginState, readPluginStates } from '../plugin-state.js';

type Reader = Pick<ScopedPrisma | ScopedTransaction, 'workspace'>;

const CHANGES = new Set(['plugin.switched', 'plugin.settings_updated']);

export class PluginStateCache {
  readonly #cache;

  constructor(runner: CommandRunner) {
    this.#cache = runner.cacheFacts<(pluginId: string) => PluginState>({ changedBy: (event) => CHANGES.has(event.type) });
  }

  /** The plugin's state in the workspace; `db` reads it when it is not known (a transaction's client, or the pool's). */
  async of(db: Reader, workspaceId: string, pluginId: string): Promise<PluginState> {
    return (await this.#cache.get(workspaceId, () => readPluginStates(db, workspaceId)))(pluginId);
  }
}
