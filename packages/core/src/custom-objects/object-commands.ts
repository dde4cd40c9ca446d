import { type CustomObjectDefinition, includingTrashed, type ScopedTransaction } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { CrmError, badInput, notFound } from '../errors.js';
import { parseInput } from '../validation.js';
import type { CustomField } from '../custom-fields/definition.js';
import { customFieldOf } from '../custom-fields/load-definitions.js';
import { removeFieldValues } from '../custom-fields/custom-field-commands.js';
import { type CustomObject, customObjectOf, singleNameOf } from './custom-object.js';
import {
  archiveCustomObjectInput,
  checkObjectNames,
  type DefineCustomObjectInput,
  defaultPluralName,
  defineCustomObjectInput,
  deleteCustomObjectInput,
  renameCustomObjectInput,
} from './object-input.js';

/**
 * What a new or renamed custom object would collide with in the caller's schema (a type, or a root field it derives:
 * `contract`, `contracts`, `createContract`, …): a message naming the clash, or null. Given by the GraphQL layer,
 * which sees the composed schema (core, plugins, the workspace's other objects).
 */
export type ObjectNamesTaken = (name: string, pluralName: string, except?: { name: string; pluralName: string }) => string | null;

function emitChanged(scope: CommandScope, row: CustomObjectDefinition, change: string) {
  scope.emit('metadata.changed', { type: 'CustomObject', id: row.id }, { object: row.name, field: '', change });
}

async function loadObject(tx: ScopedTransaction, id: string): Promise<CustomObjectDefinition> {
  const row = await tx.customObjectDefinition.findUnique({ where: { id } });
  if (!row) throw notFound('Custom object', 'id');
  return row;
}

/** Names (type, plural, by-id) of the workspace's other custom objects, archived ones too: they may come back. */
async function checkAgainstOthers(tx: ScopedTransaction, name: string, pluralName: string, exceptId?: string): Promise<void> {
  const others = await tx.customObjectDefinition.findMany({ where: exceptId ? { NOT: { id: exceptId } } : {}, select: { name: true, pluralName: true } });
  const single = singleNameOf({ name });
  for (const other of others) {
    if (other.name.toLowerCase() === name.toLowerCase()) throw badInput(`name: the custom object ${other.name} exists (archived objects keep their names)`, 'name');
    const theirs = [other.pluralName, singleNameOf(other)];
    if (theirs.includes(pluralName)) throw badInput(`pluralName: ${pluralName} is a root field of the custom object ${other.name}`, 'pluralName');
    if (theirs.includes(single)) throw badInput(`name: ${single} is a root field of the custom object ${other.name}`, 'name');
  }
}

function checkSchema(taken: ObjectNamesTaken, name: string, pluralName: string, except?: { name: string; pluralName: string }): void {
  const clash = taken(name, pluralName, except);
  if (clash) throw badInput(`name: ${clash}`, 'name');
}

/** Defines a custom object (ADMIN). The workspace's schema gains its type and operations once it commits. */
export async function defineCustomObject(caller: Caller, raw: DefineCustomObjectInput, taken: ObjectNamesTaken): Promise<CustomObject> {
  const input = parseInput(defineCustomObjectInput, raw);
  const pluralName = input.pluralName ?? defaultPluralName(input.name);
  checkObjectNames(input.name, pluralName);
  return caller.run(
    async (scope) => {
      await checkAgainstOthers(scope.tx, input.name, pluralName);
      checkSchema(taken, input.name, pluralName);
      const row = await scope.tx.customObjectDefinition.create({
        data: {
          workspaceId: scope.session.workspaceId,
          name: input.name,
          pluralName,
          label: input.label ?? input.name,
          description: input.description ?? null,
        },
      });
      emitChanged(scope, row, 'objectDefined');
      return customObjectOf(row);
    },
    { role: 'ADMIN' },
  );
}

/**
 * Renames a custom object (its type, root fields and event types follow), or changes its label or description. Its
 * fields name it by id and its records by id; plugins' stored things that name it (workflows) are rewritten.
 */
export async function renameCustomObject(caller: Caller, raw: unknown, taken: ObjectNamesTaken): Promise<CustomObject> {
  const input = parseInput(renameCustomObjectInput, raw);
  return caller.run(
    async (scope) => {
      const before = await loadObject(scope.tx, input.id);
      const name = input.name ?? before.name;
      const pluralName = input.pluralName ?? (input.name && input.name !== before.name ? defaultPluralName(name) : before.pluralName);
      if (name !== before.name || pluralName !== before.pluralName) {
        checkObjectNames(name, pluralName);
        await checkAgainstOthers(scope.tx, name, pluralName, before.id);
        // Its own current names are not a clash (it is renamed away from them).
        checkSchema(taken, name, pluralName, before.archivedAt ? undefined : before);
      }
      // Plugins' stored things name objects by name (a workflow's trigger): they follow it. Before the definition's
      // update, as a field's rename calls its hooks before its own: a plugin's hook takes its locks first (workflows'
      // `renames`), and the update locks the row FOR UPDATE (`name` is in a unique key) — after it, a transaction
      // holding the plugin's lock and creating a record of the object (the FK's FOR KEY SHARE) deadlocked with it.
      if (name !== before.name) for (const extension of scope.fieldUsage ?? []) await extension.objectRenamed?.(scope, { from: before.name, to: name });
      const row = await scope.tx.customObjectDefinition.update({
        where: { id: before.id },
        data: { name, pluralName, label: input.label ?? undefined, description: input.description === undefined ? undefined : input.description },
      });
      emitChanged(scope, row, 'objectRenamed');
      return customObjectOf(row);
    },
    { role: 'ADMIN' },
  );
}

/** Archives a custom object (gone from the schema with its fields, its records kept) or restores it. */
export async function archiveCustomObject(caller: Caller, raw: unknown, taken: ObjectNamesTaken): Promise<CustomObject & { archived: boolean }> {
  const input = parseInput(archiveCustomObjectInput, raw);
  const archived = input.archived ?? true;
  return caller.run(
    async (scope) => {
      const before = await loadObject(scope.tx, input.id);
      // Restoring: a plugin or a custom field may have taken its names meanwhile.
      if (!archived && before.archivedAt) checkSchema(taken, before.name, before.pluralName);
      const row = await scope.tx.customObjectDefinition.update({ where: { id: before.id }, data: { archivedAt: archived ? (before.archivedAt ?? new Date()) : null } });
      emitChanged(scope, row, archived ? 'objectArchived' : 'objectRestored');
      return { ...customObjectOf(row), archived };
    },
    { role: 'ADMIN' },
  );
}

export interface DeletedCustomObject {
  object: CustomObject;
  /** Its field definitions and the relation fields pointing at it, deleted with it (the caller drops their indexes after commit). */
  fields: CustomField[];
  /** Records deleted with it (live and in the trash). */
  records: number;
}

/**
 * Deletes a custom object, its field definitions and its records. Refused with CONFLICT (`extensions.usedBy`) while
 * it has records (live or in the trash), unless `force`.
 */
export async function deleteCustomObject(caller: Caller, raw: unknown): Promise<DeletedCustomObject> {
  const input = parseInput(deleteCustomObjectInput, raw);
  return caller.run(
    async (scope) => {
      const { tx } = scope;
      const row = await loadObject(tx, input.id);
      const records = await tx.customRecord.count({ where: { objectId: row.id, ...includingTrashed } });
      // Relation fields of other objects that point at it: they go with it (their values with them).
      const pointing = await tx.customFieldDefinition.findMany({ where: { target: row.id, NOT: { object: row.id } } });
      if ((records > 0 || pointing.length > 0) && !input.force) {
        const usedBy = [...(records ? [`records:${records}`] : []), ...pointing.map((f) => `field:${f.name}`)];
        throw new CrmError('CONFLICT', `id: ${row.name} has ${records} record(s) and ${pointing.length} relation field(s) pointing at it; delete with force: true to delete them with it`, 'id', {
          usedBy: usedBy.join(', '),
        });
      }
      for (const field of pointing) await removeFieldValues(tx, scope.session.workspaceId, field);
      const own = await tx.customFieldDefinition.findMany({ where: { object: row.id } });
      const fields = [...own, ...pointing].map(customFieldOf);
      await tx.customFieldDefinition.deleteMany({ where: { id: { in: fields.map((f) => f.id) } } });
      await tx.customRecord.deleteMany({ where: { objectId: row.id, ...includingTrashed } });
      await tx.customObjectDefinition.delete({ where: { id: row.id } });
      emitChanged(scope, row, 'objectDeleted');
      return { object: customObjectOf(row), fields, records };
    },
    { role: 'ADMIN' },
  );
}
