// Plugins' synchronous hooks, run inside the core command's transaction after its change and before commit.
import { causeOf, type CommitHook, type CrmEventType, reactingScope } from '@crm/core';
import type { HookEntry, Plugin } from '../plugin.js';
import { attributed } from '../plugin-errors.js';
import { readPluginStates } from '../plugin-state.js';

/**
 * One before-commit hook for the whole host: calls each plugin hook registered for an event the command emitted,
 * unless the plugin is switched off in the workspace. A hook's CrmError (a veto) reaches the client with
 * `extensions.plugin`; anything else it throws fails the command as `PLUGIN_FAILED` naming the plugin and the hook.
 */
export function commitHookFor(plugins: readonly Plugin[]): CommitHook {
  const byEvent = new Map<string, { plugin: Plugin; hook: HookEntry }[]>();
  for (const plugin of plugins) {
    for (const hook of plugin.hooks) byEvent.set(hook.event, [...(byEvent.get(hook.event) ?? []), { plugin, hook }]);
  }
  return async (scope, events) => {
    // A snapshot: events that hooks emit are not themselves hooked (no cascades inside one transaction).
    const hooked = [...events].filter((event) => byEvent.has(event.type));
    if (!hooked.length) return;
    const stateOf = await readPluginStates(scope.tx, scope.session.workspaceId);
    for (const event of hooked) {
      // What the hook emits about the event is its kin: the event's actor (a workflow's step, in a transaction doing
      // several) and its causal chain at its depth, so a loop through a hook is traced and bounded like any other.
      const reacting = reactingScope(scope, event);
      // What it queues is deferred work: a hop, as a subscriber's events are (its items continue the chain one deeper).
      const chain = causeOf({ actor: event.actor ?? scope.session.actor, causedBy: event.cause?.causedBy ?? null, chainDepth: event.cause?.chainDepth ?? 0 });
      for (const { plugin, hook } of byEvent.get(event.type)!) {
        const state = stateOf(plugin.id);
        if (!state.enabled) continue;
        try {
          await hook.handle(
            { type: event.type as CrmEventType, subjectType: event.subjectType, subjectId: event.subjectId, payload: event.payload },
            { tx: scope.tx, emit: reacting.emit, session: scope.session, settings: state.settings, chain },
          );
        } catch (error) {
          throw attributed(plugin.id, `hook ${hook.name} on ${hook.event}`, error);
        }
      }
    }
  };
}
