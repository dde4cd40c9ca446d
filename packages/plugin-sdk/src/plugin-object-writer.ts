// A plugin object's writer as the core's commands call it (single and bulk): the plugin's permission checked, the
// plugin's scope built, its failures attributed to it, and its declared update rule run by the core's batch writer.
import { type CommandScope, declaredUpdateBatch, forbidden, isCrmError, isRetryableConflict, type ObjectDeclaration, type ObjectWriter, type UpdateRule } from '@crm/core';
import type { PluginObjectWriter } from './definition.js';
import type { Plugin } from './plugin.js';
import { attributed } from './plugin-errors.js';
import type { PluginCommandScope } from './toolkit.js';

/** A plugin object's writer as the core's bulk commands call it: the permission checked, the plugin's scope built. */
export function coreWriterOf<Settings, Permission extends string, Event extends string>(
  id: string,
  permissions: Plugin['permissions'],
  scopeOf: (scope: CommandScope) => Promise<PluginCommandScope<Settings, Event>>,
  object: ObjectDeclaration,
  writer: PluginObjectWriter<Settings, Permission, Event>,
): ObjectWriter {
  const objectName = object.name;
  const roles = permissions[writer.permission]?.roles ?? [];
  /**
   * A writer's failure as its hooks' are (`attributed`): a bug (a TypeError) is PLUGIN_FAILED naming the plugin and
   * `writer <action> of <object>`, so a bulk call fails whole instead of answering INTERNAL_SERVER_ERROR. A lost race
   * (deadlock, serialization failure) passes unchanged: the command runs again.
   */
  const guarded = async <T>(action: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw isRetryableConflict(error) ? error : attributed(id, `writer ${action} of ${objectName}`, error);
    }
  };
  const allowed = (scope: CommandScope) => {
    // A custom role holds the permission when it names it (a write acting as a role: `objects.create(…, { as })`).
    const held = scope.permissions ? scope.permissions.holdsPluginPermission(id, writer.permission, roles) : roles.includes(scope.session.role);
    if (!held) {
      throw forbidden(`This needs the ${id} permission "${writer.permission}" (roles: ${roles.join(', ') || 'none'}); your API key is ${scope.session.role}`);
    }
  };
  const { create, update, key, updateRule } = writer;
  const remove = writer.delete;
  /**
   * The plugin's update rule as core's declared batch writer runs it: its functions' failures attributed as the
   * writer's (a CrmError refuses the record with its code), its events with the plugin's scope of the batch.
   */
  const updateBatch = (rule: NonNullable<typeof updateRule>): NonNullable<ObjectWriter['updateBatch']> => async (scope, rows) => {
    allowed(scope);
    const own = await scopeOf(scope);
    const ownFailure = (error: unknown) => (isCrmError(error) && error.code !== 'PLUGIN_FAILED' ? error : attributed(id, `writer updateRule of ${objectName}`, error));
    const coreRule: UpdateRule<{ id: string }, { id: string }, object, unknown> = {
      schema: rule.schema,
      change(input, before, customFields) {
        try {
          return rule.change(input as never, before as never, customFields);
        } catch (error) {
          throw ownFailure(error);
        }
      },
      async announce(_scope, before, after, input) {
        try {
          await rule.announce(own, before as never, after as never, input as never);
        } catch (error) {
          throw ownFailure(error);
        }
      },
    };
    return declaredUpdateBatch(object, coreRule)(scope, rows);
  };
  return {
    permission: { plugin: id, name: writer.permission, roles },
    ...(create ? { create: async (scope: CommandScope, input: Record<string, unknown>) => (allowed(scope), guarded('create', async () => create(input, await scopeOf(scope)))) } : {}),
    ...(update ? { update: async (scope: CommandScope, rowId: string, patch: Record<string, unknown>) => (allowed(scope), guarded('update', async () => update(rowId, patch, await scopeOf(scope)))) } : {}),
    ...(remove ? { delete: async (scope: CommandScope, rowId: string, reason: string | null) => (allowed(scope), guarded('delete', async () => remove(rowId, reason, await scopeOf(scope)))) } : {}),
    ...(updateRule ? { updateBatch: updateBatch(updateRule) } : {}),
    ...(key ? { key } : {}),
  };
}
