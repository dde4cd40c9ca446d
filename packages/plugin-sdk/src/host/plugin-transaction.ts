// A transaction in a workspace as a plugin's background work runs it (queues, routes): the plugin's actor (or
// `plugin:<id>:<actor>`, so that the plugin can tell its own changes in the events it receives), ADMIN, the plugin's
// stored settings (cached per workspace when the host passes its cache: plugin-state-cache.ts), and a
// transaction-scoped lock keyed in the plugin and workspace.
import type { CommandRunner, EventCause } from '@crm/core';
import type { QueueTransaction } from '../jobs.js';
import type { HostContext, HostServices, Plugin } from '../plugin.js';
import { pluginLock } from '../plugin-lock.js';
import { readPluginState } from '../plugin-state.js';
import type { PluginStateCache } from './plugin-state-cache.js';

/**
 * `chain`: the causal chain the transaction continues (a queue item's): what it emits, through any command, action or
 * `actingAs`, carries it, and so do the queue items its `rows` insert. None for routes.
 */
export function pluginTransaction(runner: CommandRunner, services: HostServices, plugin: Plugin, workspaceId: string, states?: PluginStateCache, chain?: EventCause | null) {
  return <T>(fn: (scope: HostContext<QueueTransaction<unknown>>) => Promise<T>, options?: { actor?: string }): Promise<T> => {
    const actor = options?.actor ? `plugin:${plugin.id}:${options.actor}` : `plugin:${plugin.id}`;
    return runner.callerFor({ workspaceId, role: 'ADMIN', actor }).run(async (session) => {
      const scope = chain ? (session.causedBy?.(chain) ?? session) : session;
      const current = states ? await states.of(scope.tx, workspaceId, plugin.id) : await readPluginState(scope.tx, workspaceId, plugin.id);
      return fn({
        tx: scope.tx,
        emit: scope.emit,
        session: scope.session,
        ...(chain ? { chain } : {}),
        settings: current.settings,
        services,
        workspaceId,
        now: new Date(),
        lock: pluginLock(scope.tx, plugin.id, workspaceId),
        actingAs: (other: string) => {
          const acting = scope.actingAs!(`plugin:${plugin.id}:${other}`);
          return { tx: acting.tx, emit: acting.emit, session: acting.session };
        },
      });
    });
  };
}
