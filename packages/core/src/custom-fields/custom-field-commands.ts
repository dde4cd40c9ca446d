import type { CustomFieldDefinition, Prisma, ScopedTransaction } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { badInput, CrmError, notFound } from '../errors.js';
import { workspaceCatalog } from '../custom-objects/workspace-catalog.js';
import { coreCatalog } from '../objects/core-catalog.js';
import { storedKeysOf } from '../objects/filter/stored-keys.js';
import type { FieldUser } from './field-usage.js';
import { segmentFilterNode } from '../services/segments/segment-filter.js';
import { fieldRename, renameInSegments } from '../services/segments/segment-filter-rename.js';
import { parseInput } from '../validation.js';
import type { CustomField } from './definition.js';
import {
  archiveCustomFieldInput,
  checkFieldName,
  type DefineCustomFieldInput,
  defineCustomFieldInput,
  deleteCustomFieldInput,
  renameCustomFieldInput,
} from './definition-input.js';
import { customFieldTraits, relationTargets } from './field-types.js';
import { storedValue } from './field-values.js';
import { customFieldOf } from './load-definitions.js';
import { isExtensible, relationKeyName, reverseRelationName } from './definition.js';
import type { z } from '../validation.js';

/**
 * The names a new field of `object` may not take in the caller's schema: its built-in and plugin fields, relations,
 * input fields, and the workspace's other custom fields. Given by the GraphQL layer, which sees the composed schema.
 */
export type TakenNames = (object: string) => (name: string) => boolean;

/**
 * The GraphQL type of the object a definition extends: an extensible object's name, or a live custom object's name
 * (its definitions name it by id, so renaming it rewrites nothing). NOT_FOUND for an unknown or archived one.
 */
export async function objectTypeName(tx: ScopedTransaction, object: string): Promise<string> {
  if (isExtensible(object)) return object;
  const custom = await tx.customObjectDefinition.findFirst({ where: { id: object, archivedAt: null }, select: { name: true } });
  if (!custom) throw notFound('Custom object', 'customObjectId');
  return custom.name;
}

/** Taken in the schema, or by another custom field of the object (an archived one too: it may come back). */
async function takenFor(tx: ScopedTransaction, taken: TakenNames, object: string, exceptId?: string): Promise<(name: string) => boolean> {
  const inSchema = taken(await objectTypeName(tx, object));
  const custom = await otherNames(tx, object, exceptId);
  return (name) => custom.has(name) || inSchema(name);
}

const uniqueTypes = new Set(['text', 'email', 'phone', 'url', 'number', 'rating', 'date']);

function emitChanged(scope: CommandScope, field: CustomFieldDefinition, change: string) {
  scope.emit('metadata.changed', { type: 'CustomField', id: field.id }, { object: field.object, field: field.name, change });
}

async function loadDefinition(tx: ScopedTransaction, id: string): Promise<CustomFieldDefinition> {
  const row = await tx.customFieldDefinition.findUnique({ where: { id } });
  if (!row) throw notFound('Custom field', 'id');
  return row;
}

async function otherNames(tx: ScopedTransaction, object: string, exceptId?: string): Promise<Set<string>> {
  const rows = await tx.customFieldDefinition.findMany({ where: { object, ...(exceptId ? { NOT: { id: exceptId } } : {}) }, select: { name: true } });
  return new Set(rows.map((r) => r.name));
}

/**
 * A relation field's target as stored (an extensible object's name, or a custom object's id), checked: it exists and
 * is live, the field's key name (`customerId`) is free on the source, and the reverse connection's name on the
 * target. Null for other types (which must not name a target).
 */
async function relationTarget(scope: CommandScope, taken: TakenNames, input: z.output<typeof defineCustomFieldInput>): Promise<string | null> {
  const { tx } = scope;
  if (input.type !== 'relation') {
    if (input.target) throw badInput('target: only relation fields have a target', 'target');
    return null;
  }
  if (!input.target) throw badInput('target: a relation field names the object it points to (Customer, Company or a custom object)', 'target');
  if (input.defaultValue !== undefined && input.defaultValue !== null) throw badInput('defaultValue: a relation field has no default', 'defaultValue');
  const coreTarget = (name: string) => (relationTargets as readonly string[]).includes(name);
  let stored: string;
  if (coreTarget(input.target)) stored = input.target;
  else {
    const custom = await tx.customObjectDefinition.findFirst({ where: { name: input.target, archivedAt: null }, select: { id: true } });
    if (!custom) throw badInput(`target: no object ${input.target} (Customer, Company or a live custom object)`, 'target');
    stored = custom.id;
  }
  const sourceName = await objectTypeName(tx, input.object);
  // A core or plugin object's plural is its declaration's (a plugin object's is in the scope's `pluginObjects`).
  const declared = isExtensible(input.object) ? (coreCatalog.has(sourceName) ? coreCatalog.get(sourceName).plural : scope.pluginObjects?.find((o) => o.name === sourceName)?.plural) : undefined;
  if (isExtensible(input.object) && !declared) throw badInput(`object: ${sourceName} is not an installed object`, 'object');
  const sourcePlural = declared ?? (await tx.customObjectDefinition.findUniqueOrThrow({ where: { id: input.object }, select: { pluralName: true } })).pluralName;
  const reverse = reverseRelationName(input, sourcePlural, input.target);
  const keyName = relationKeyName(input);
  if ((await takenFor(tx, taken, input.object))(keyName)) throw badInput(`name: ${keyName} (where the relation keeps its id) is taken on ${sourceName}`, 'name');
  const onTarget = await takenFor(tx, taken, stored);
  if (onTarget(reverse)) throw badInput(`name: the reverse connection ${input.target}.${reverse} would clash with a field of ${input.target}`, 'name');
  return stored;
}

/** Defines a custom field (ADMIN). The schema of the workspace gains it once the transaction commits. */
export async function defineCustomField(
  caller: Caller,
  raw: DefineCustomFieldInput,
  taken: TakenNames,
  /** Whether a declared object takes custom fields: the caller's catalog (core's and its enabled plugins'). */
  extensible: (object: string) => boolean = (object) => coreCatalog.has(object) && coreCatalog.get(object).customFields,
): Promise<CustomField> {
  const input = parseInput(defineCustomFieldInput, raw);
  if (isExtensible(input.object) && !extensible(input.object)) throw badInput(`object: ${input.object} takes no custom fields here`, 'object');
  return caller.run(
    async (scope) => {
      const { tx } = scope;
      checkFieldName(input.name, await objectTypeName(tx, input.object), await takenFor(tx, taken, input.object));
      const isSelect = input.type === 'select' || input.type === 'multiSelect';
      const options = (input.options ?? []).map((o) => ({ value: o.value, label: o.label ?? o.value, color: o.color ?? null }));
      if (isSelect && !options.length) throw badInput('options: a select field lists its options', 'options');
      if (!isSelect && input.options?.length) throw badInput(`options: only select fields have options`, 'options');
      if (new Set(options.map((o) => o.value)).size !== options.length) throw badInput('options: two options have the same value', 'options');
      if (input.type === 'money' && !input.currency) throw badInput('currency: a money field names its currency (ISO 4217, e.g. "EUR")', 'currency');
      if (input.type !== 'money' && input.currency) throw badInput('currency: only money fields have a currency', 'currency');
      if (input.min != null && input.max != null && input.min > input.max) throw badInput('min: greater than max', 'min');
      if (input.unique && !uniqueTypes.has(input.type)) throw badInput(`unique: a ${input.type} field cannot be unique`, 'unique');
      if (input.indexed && !customFieldTraits[input.type].sort && input.type !== 'longText' && input.type !== 'relation') {
        throw badInput(`indexed: a ${input.type} field is not indexed`, 'indexed');
      }
      const target = await relationTarget(scope, taken, input);
      // The stored key: the first name, unless a deleted field's values might still carry it.
      const keys = new Set((await tx.customFieldDefinition.findMany({ where: { object: input.object }, select: { key: true } })).map((r) => r.key));
      let key = input.name;
      for (let n = 2; keys.has(key); n++) key = `${input.name}${n}`;
      const draft: CustomField = {
        id: '',
        object: input.object,
        name: input.name,
        key,
        label: input.label ?? input.name,
        type: input.type,
        options,
        required: input.required ?? false,
        unique: input.unique ?? false,
        indexed: input.indexed ?? false,
        defaultValue: null,
        description: input.description ?? null,
        min: input.min ?? null,
        max: input.max ?? null,
        currency: input.currency ?? null,
        target,
        position: input.position ?? (await tx.customFieldDefinition.count({ where: { object: input.object } })),
      };
      // A relation is always indexed: its reverse connection (`Customer.contracts`) looks records up by it.
      if (input.type === 'relation') draft.indexed = true;
      if (input.defaultValue !== undefined && input.defaultValue !== null) {
        if (draft.unique) throw badInput('defaultValue: a unique field has no default', 'defaultValue');
        draft.defaultValue = storedValue(draft, input.defaultValue, 'defaultValue');
      }
      const row = await tx.customFieldDefinition.create({
        data: {
          workspaceId: scope.session.workspaceId,
          object: draft.object,
          name: draft.name,
          key: draft.key,
          label: draft.label,
          type: draft.type,
          options: draft.options as unknown as Prisma.InputJsonArray,
          required: draft.required,
          unique: draft.unique,
          indexed: draft.indexed,
          defaultValue: (draft.defaultValue ?? undefined) as Prisma.InputJsonValue | undefined,
          description: draft.description,
          min: draft.min,
          max: draft.max,
          currency: draft.currency,
          target: draft.target,
          position: draft.position,
        },
      });
      emitChanged(scope, row, 'defined');
      return customFieldOf(row);
    },
    { role: 'ADMIN' },
  );
}

/** Renames a field's GraphQL name (and label); stored values keep their key, so no row is rewritten. */
export async function renameCustomField(caller: Caller, raw: unknown, taken: TakenNames): Promise<CustomField> {
  const input = parseInput(renameCustomFieldInput, raw);
  return caller.run(
    async (scope) => {
      const before = await loadDefinition(scope.tx, input.id);
      if (input.name !== before.name) {
        checkFieldName(input.name, before.object, await takenFor(scope.tx, taken, before.object, before.id));
      }
      if (input.name !== before.name && !before.archivedAt) {
        // Saved segments and plugins' stored things (workflows) name fields by name: they keep doing what they did.
        // With the plugins' objects: a workflow's condition on a Competitor's field is rewritten too.
        const catalog = await workspaceCatalog(scope.tx, scope.session.workspaceId, scope.pluginObjects ? { pluginObjects: scope.pluginObjects } : {});
        const rename = fieldRename(catalog, customFieldOf(before), input.name);
        await renameInSegments(scope.tx, catalog, rename);
        const field = { object: await objectNameOf(scope, before), name: before.name, key: before.key };
        for (const extension of scope.fieldUsage ?? []) await extension.renamed?.(scope, field, rename, catalog);
      }
      const row = await scope.tx.customFieldDefinition.update({ where: { id: before.id }, data: { name: input.name, label: input.label ?? undefined } });
      emitChanged(scope, row, 'renamed');
      return customFieldOf(row);
    },
    { role: 'ADMIN' },
  );
}

/** Archives a field (gone from the schema, its values kept) or restores it (`archived: false`). */
export async function archiveCustomField(caller: Caller, raw: unknown, taken: TakenNames): Promise<CustomField> {
  const input = parseInput(archiveCustomFieldInput, raw);
  const archived = input.archived ?? true;
  return caller.run(
    async (scope) => {
      const before = await loadDefinition(scope.tx, input.id);
      // Restoring: its name may have been taken meanwhile (by a plugin's field or another custom field).
      if (!archived && before.archivedAt) checkFieldName(before.name, before.object, await takenFor(scope.tx, taken, before.object, before.id));
      const row = await scope.tx.customFieldDefinition.update({ where: { id: before.id }, data: { archivedAt: archived ? (before.archivedAt ?? new Date()) : null } });
      emitChanged(scope, row, archived ? 'archived' : 'restored');
      return customFieldOf(row);
    },
    { role: 'ADMIN' },
  );
}

/** The declared name of a field's object (a custom object's field names it by its id). */
async function objectNameOf(scope: CommandScope, field: CustomFieldDefinition): Promise<string> {
  if (isExtensible(field.object)) return field.object;
  return (await scope.tx.customObjectDefinition.findFirst({ where: { id: field.object }, select: { name: true } }))?.name ?? field.object;
}

/**
 * What names the field, live or archived: the saved segments whose filter reads its values (a filter that no longer
 * parses reads nothing), then each plugin's stored things (`fieldUsage`: workflows), on core's, custom and plugins'
 * objects.
 */
async function fieldUsers(scope: CommandScope, field: CustomFieldDefinition): Promise<FieldUser[]> {
  const { tx } = scope;
  const segments = await tx.segment.findMany({ where: { kind: 'FILTER' }, select: { id: true, name: true, filter: true }, orderBy: { name: 'asc' } });
  if (!segments.length && !scope.fieldUsage?.length) return [];
  // With the plugins' objects (a workflow's condition on a Competitor field), and the field itself if archived: a
  // filter naming it parses only with it declared, and it names it all the same.
  const catalog = await workspaceCatalog(tx, scope.session.workspaceId, {
    ...(scope.pluginObjects ? { pluginObjects: scope.pluginObjects } : {}),
    ...(field.archivedAt ? { archivedField: customFieldOf(field) } : {}),
  });
  const object = await objectNameOf(scope, field);
  const others: FieldUser[] = [];
  for (const extension of scope.fieldUsage ?? []) others.push(...(await extension.usersOf(scope, { object, name: field.name, key: field.key }, catalog)));
  const users: FieldUser[] = segments
    .filter((segment) => {
      try {
        return storedKeysOf(catalog.get('Customer'), segmentFilterNode(catalog, segment.filter)).has(field.key);
      } catch {
        return false;
      }
    })
    .map((segment) => ({ type: 'Segment', id: segment.id, name: segment.name }));
  return [...users, ...others];
}

/** Removes a field's values from every row of its object in the workspace (one UPDATE; renames never need this). */
export async function removeFieldValues(tx: ScopedTransaction, workspaceId: string, field: Pick<CustomFieldDefinition, 'object' | 'key'>): Promise<void> {
  if (isExtensible(field.object)) {
    await tx.$executeRawUnsafe(
      `UPDATE "${field.object}" SET "customFields" = "customFields" - $2 WHERE "workspaceId" = $1::uuid AND "customFields" ? $2`,
      workspaceId,
      field.key,
    );
  } else {
    // A custom object's field: its records share one table.
    await tx.$executeRawUnsafe(
      `UPDATE "CustomRecord" SET "customFields" = "customFields" - $2 WHERE "workspaceId" = $1::uuid AND "objectId" = $3::uuid AND "customFields" ? $2`,
      workspaceId,
      field.key,
      field.object,
    );
  }
}

export interface DeletedCustomField {
  field: CustomField;
  /** What named it: saved segments, plugins' things (deleted only with `force`; they are left as they were). */
  usedBy: FieldUser[];
}

/**
 * Deletes a field and its values. Refused (CONFLICT listing them) while saved segments or plugins' stored things
 * (workflows) name it, unless `force`.
 * The caller drops its indexes after commit (`dropCustomFieldIndexes`).
 */
export async function deleteCustomField(caller: Caller, raw: unknown): Promise<DeletedCustomField> {
  const input = parseInput(deleteCustomFieldInput, raw);
  return caller.run(
    async (scope) => {
      const { tx } = scope;
      const row = await loadDefinition(tx, input.id);
      const usedBy = await fieldUsers(scope, row);
      if (usedBy.length && !input.force) {
        // `extensions.usedBy` lists them for machines ("Segment:<name>, Workflow:<name>", comma-separated).
        throw new CrmError('CONFLICT', `id: ${row.name} is used by ${usedBy.map((u) => `${u.type.toLowerCase()} "${u.name}"`).join(', ')}; delete with force: true to delete it anyway`, 'id', {
          usedBy: usedBy.map((u) => `${u.type}:${u.name}`).join(', '),
        });
      }
      await removeFieldValues(tx, scope.session.workspaceId, row);
      await tx.customFieldDefinition.delete({ where: { id: row.id } });
      emitChanged(scope, row, 'deleted');
      return { field: customFieldOf(row), usedBy };
    },
    { role: 'ADMIN' },
  );
}
