// A transaction in a workspace as a plugin's background work runs it (queues, routes): the plugin's actor (or
// `plugin:<id>:<actor>`, so that the plugin can tell its own changes in the events it receives), ADMIN, the plugin's
// stored settings (cached per workspace when the host passes its cache: plugin-state-cache.ts), and a
// transaction-scoped lock keyed in the plugin and workspace.
import type { CommandRunner, EventCause } from '@crm/core';
import type { ActingOptions, QueueTransaction } from '../jobs.js';
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
      /** The chain depths the transaction's actors were given (`actingAs` with `chainDepth`). */
      const depths = new Map<string, number>();
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
        actingAs: (other: string, options?: ActingOptions) => {
          const name = `plugin:${plugin.id}:${other}`;
          const as = scope.actingAs!(name);
          // Its own chain at the depth it counts (a workflow run's): its events name it as where the chain began. Kept
          // for the transaction: a core command's items naming the actor (`items[].actor`) act at that depth too.
          if (options?.chainDepth) depths.set(name, options.chainDepth);
          const chainDepth = depths.get(name);
          const acting = chainDepth ? (as.causedBy?.({ causedBy: name, chainDepth }) ?? as) : as;
          return { tx: acting.tx, emit: acting.emit, session: acting.session };
        },
      });
    });
  };
}
