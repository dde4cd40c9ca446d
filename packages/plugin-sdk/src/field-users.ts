// A plugin's answer to "which of your stored things use this custom field?": asked when an ADMIN deletes a custom
// field (docs/custom-fields.md), so that the refusal lists a plugin's users of it (a workflow's trigger or condition)
// beside the saved segments that filter on it.
import { coreFilterContext, type FieldInQuestion, type FieldUsageExtension, type FieldUser, parseFilter, storedKeysOf } from '@crm/core';
import type { ScopedTransaction } from '@crm/db';
import type { Session } from '@crm/core';
import type { Plugin } from './plugin.js';
import { readStoredSettings } from './settings-store.js';

export type { FieldInQuestion, FieldUser };

export interface FieldUsersContext<Settings> {
  /** The deleting command's transaction, in its workspace: read-only use. */
  tx: ScopedTransaction;
  session: Session;
  settings: Settings;
  /**
   * Whether a stored filter of `object` (the list filter language) reads the field, directly or through a relation
   * (`{ customer: { tier: … } }` on a deal). False for a filter that no longer parses or an object not declared.
   */
  filterUses(object: string, filter: unknown): boolean;
}

/** `definePlugin({ fieldUsers })`: the plugin's stored things that name the field, as `{ type, id, name }`. */
export type FieldUsersHandler<Settings> = (field: FieldInQuestion, context: FieldUsersContext<Settings>) => Promise<readonly FieldUser[]>;

/** One extension per plugin that implements `fieldUsers`, in the host's (dependency) order. */
export function fieldUsageExtensionsFor(plugins: readonly Plugin[]): FieldUsageExtension[] {
  return plugins.flatMap((plugin) => {
    const handler = plugin.fieldUsers;
    if (!handler) return [];
    return [
      {
        id: plugin.id,
        usersOf: async (scope, field, catalog) =>
          handler(field, {
            tx: scope.tx,
            session: scope.session,
            settings: await readStoredSettings(scope.tx, scope.session.workspaceId, plugin.id),
            filterUses: (object, filter) => {
              if (!catalog.has(object)) return false;
              try {
                const declared = catalog.get(object);
                return storedKeysOf(declared, parseFilter(declared, filter, coreFilterContext(catalog))).has(field.key);
              } catch {
                return false;
              }
            },
          }),
      } satisfies FieldUsageExtension,
    ];
  });
}
