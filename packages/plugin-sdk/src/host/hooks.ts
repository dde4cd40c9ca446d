// Plugins' synchronous hooks, run inside the core command's transaction after its change and before commit.
import type { CommitHook, CrmEventType } from '@crm/core';
import type { HookEntry, Plugin } from '../definition.js';
import { readStoredSettings } from '../settings-store.js';

/** One before-commit hook for the whole host: calls each plugin hook registered for an event the command emitted. */
export function commitHookFor(plugins: readonly Plugin[]): CommitHook {
  const byEvent = new Map<string, { plugin: Plugin; hook: HookEntry }[]>();
  for (const plugin of plugins) {
    for (const hook of plugin.hooks) byEvent.set(hook.event, [...(byEvent.get(hook.event) ?? []), { plugin, hook }]);
  }
  return async (scope, events) => {
    // A snapshot: events that hooks emit are not themselves hooked (no cascades inside one transaction).
    for (const event of [...events]) {
      for (const { plugin, hook } of byEvent.get(event.type) ?? []) {
        const settings = await readStoredSettings(scope.tx, scope.session.workspaceId, plugin.id);
        await hook.handle(
          { type: event.type as CrmEventType, subjectType: event.subjectType, subjectId: event.subjectId, payload: event.payload },
          { tx: scope.tx, emit: scope.emit, session: scope.session, settings },
        );
      }
    }
  };
}
