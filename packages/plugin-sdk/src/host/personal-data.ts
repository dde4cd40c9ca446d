// Plugins' parts in a person's data (merge, export, erasure), as the core's command runner calls them.
import type { CommandScope, PersonalDataExtension } from '@crm/core';
import type { Plugin } from '../plugin.js';
import { readStoredSettings } from '../settings-store.js';

/** One extension per plugin that implements `personalData`, in the host's (dependency) order. */
export function personalDataExtensionsFor(plugins: readonly Plugin[]): PersonalDataExtension[] {
  return plugins.flatMap((plugin) => {
    const handlers = plugin.personalData;
    if (!handlers) return [];
    const context = async (scope: CommandScope) => ({
      tx: scope.tx,
      emit: scope.emit,
      session: scope.session,
      settings: await readStoredSettings(scope.tx, scope.session.workspaceId, plugin.id),
    });
    return [
      {
        id: plugin.id,
        merge: async (scope, input) => handlers.merge(input, await context(scope)),
        export: async (scope, customerId) => handlers.export(customerId, await context(scope)),
        erase: async (scope, customerId) => handlers.erase(customerId, await context(scope)),
        ...(handlers.eraseLast ? { eraseLast: async (scope: CommandScope, customerId: string) => handlers.eraseLast!(customerId, await context(scope)) } : {}),
      } satisfies PersonalDataExtension,
    ];
  });
}
