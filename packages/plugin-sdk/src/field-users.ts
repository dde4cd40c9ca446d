// A plugin's answer to "which of your stored things use this custom field?": asked when an ADMIN deletes a custom
// field (docs/custom-fields.md), so that the refusal lists a plugin's users of it (a workflow's trigger or condition)
// beside the saved segments that filter on it.
import { coreFilterContext, type FieldInQuestion, type FieldUsageExtension, type FieldUser, parseFilter, renameInFilter, singleNameOf, storedKeysOf } from '@crm/core';
import type { ScopedTransaction } from '@crm/db';
import type { Session } from '@crm/core';
import type { OwnRows } from './own-rows.js';
import type { Plugin } from './plugin.js';
import type { PluginLock } from './plugin-lock.js';
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
  /** The object a relation of `object` leads to (`customer` of `Contract` → `Customer`), to follow templates. */
  targetOf(object: string, relation: string): string | null;
}

/** `definePlugin({ fieldUsers })`: the plugin's stored things that name the field, as `{ type, id, name }`. */
export type FieldUsersHandler<Settings> = (field: FieldInQuestion, context: FieldUsersContext<Settings>) => Promise<readonly FieldUser[]>;

export interface FieldRenameContext<Settings> {
  /** The renaming command's transaction, in its workspace: the plugin rewrites its own rows in it. */
  tx: ScopedTransaction;
  session: Session;
  settings: Settings;
  /** The names the rename changes, old → new: the field's own, and a relation field's id field and reverse connection. */
  renames: ReadonlyMap<string, string>;
  /**
   * A stored filter of `object` with the field's entries under their new names, through relations too (what saved
   * segments get); entries of other objects with the same name are left alone. Unchanged for an object not declared.
   */
  renameInFilter(object: string, filter: unknown): unknown;
  /** The object a relation of `object` leads to (`customer` of `Contract` → `Customer`), to follow written values and templates. */
  targetOf(object: string, relation: string): string | null;
  /** The plugin's own rows in the renaming transaction: its rewrites of many rows in one statement. */
  rows: OwnRows;
  /** The plugin's lock on a key of its own in the renaming transaction (`lock(key)` of commands): to order a rename with its own transactions. */
  lock: PluginLock;
}

/** What the host gives a plugin's `fieldRenamed` (its wrapper adds the parsed settings, `rows` and `lock`). */
export type HostFieldRenameContext = Omit<FieldRenameContext<unknown>, 'rows' | 'lock'>;

/**
 * `definePlugin({ fieldRenamed })`: a custom field is being renamed (`field.name` is its old name): rewrite the plugin's
 * stored things that name it, in the renaming transaction, so they keep working and show the new name.
 */
export type FieldRenamedHandler<Settings> = (field: FieldInQuestion, context: FieldRenameContext<Settings>) => Promise<void>;

/** A custom object being renamed: its names, and the prefixes of its event types (`contract` of `contract.created`). */
export interface ObjectRename {
  from: string;
  to: string;
  fromEvents: string;
  toEvents: string;
}

/**
 * `definePlugin({ customObjectRenamed })`: a custom object is being renamed: rewrite the plugin's stored things that
 * name it or its event types, in the renaming transaction (`context.tx`), so they keep working.
 */
export type CustomObjectRenamedHandler<Settings> = (rename: ObjectRename, context: ObjectRenameContext<Settings>) => Promise<void>;

/** What a plugin's `customObjectRenamed` gets: the renaming transaction, and its own rows in it (`rows`, as `fieldRenamed`'s). */
export interface ObjectRenameContext<Settings> {
  tx: ScopedTransaction;
  session: Session;
  settings: Settings;
  /** The plugin's own rows in the renaming transaction: its rewrites of many rows in one statement. */
  rows: OwnRows;
  /** The plugin's lock on a key of its own in the renaming transaction (as `fieldRenamed`'s). */
  lock: PluginLock;
}

/** What the host gives a plugin's `customObjectRenamed` (its wrapper adds the parsed settings, `rows` and `lock`). */
export type HostObjectRenameContext = Omit<ObjectRenameContext<unknown>, 'rows' | 'lock'>;

/** `targetOf` of the contexts: the object a relation leads to in the workspace's catalog, or null. */
const targetIn = (catalog: Parameters<FieldUsageExtension['usersOf']>[2]) => (object: string, name: string): string | null => {
  const relation = catalog.has(object) ? catalog.get(object).relations.get(name) : undefined;
  return relation ? catalog.target(relation).name : null;
};

/** One extension per plugin that implements `fieldUsers`, in the host's (dependency) order. */
export function fieldUsageExtensionsFor(plugins: readonly Plugin[]): FieldUsageExtension[] {
  return plugins.flatMap((plugin) => {
    const handler = plugin.fieldUsers;
    const renamed = plugin.fieldRenamed;
    const objectRenamed = plugin.customObjectRenamed;
    if (!handler && !renamed && !objectRenamed) return [];
    return [
      {
        id: plugin.id,
        ...(objectRenamed
          ? {
              objectRenamed: async (scope, { from, to }) =>
                objectRenamed(
                  { from, to, fromEvents: singleNameOf({ name: from }), toEvents: singleNameOf({ name: to }) },
                  { tx: scope.tx, session: scope.session, settings: await readStoredSettings(scope.tx, scope.session.workspaceId, plugin.id) },
                ),
            }
          : {}),
        ...(renamed
          ? {
              renamed: async (scope, field, rename, catalog) =>
                renamed(field, {
                  tx: scope.tx,
                  session: scope.session,
                  settings: await readStoredSettings(scope.tx, scope.session.workspaceId, plugin.id),
                  renames: rename.renames,
                  renameInFilter: (object, filter) => (catalog.has(object) ? renameInFilter(catalog, catalog.get(object), filter, rename) : filter),
                  targetOf: targetIn(catalog),
                }),
            }
          : {}),
        usersOf: async (scope, field, catalog) =>
          !handler ? [] : handler(field, {
            tx: scope.tx,
            session: scope.session,
            settings: await readStoredSettings(scope.tx, scope.session.workspaceId, plugin.id),
            targetOf: targetIn(catalog),
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
