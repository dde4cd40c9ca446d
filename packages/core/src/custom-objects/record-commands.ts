import { type CustomRecord, includingTrashed, type Prisma } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { notFound } from '../errors.js';
import { fields, parseInput, z } from '../validation.js';
import type { Permissions } from '../permissions/permissions.js';
import type { ResolvedObject } from '../objects/declaration.js';
import { lockForUpdate } from '../record-lock.js';
import { assertOptionalInWorkspace } from '../references.js';
import { assertRestorable, type CustomValues, customValuesOf } from '../custom-fields/field-values.js';
import { loadCustomFields } from '../custom-fields/load-definitions.js';
import { recordEventType } from './custom-object.js';
import { destroyCustomRecords } from './record-retention.js';
import type { UpdateRule } from '../services/bulk/declared-update-batch.js';

/**
 * The custom object a record command is about, as the caller's schema declares it (`object.sharedTable.value` is its
 * id), with the key's permissions: the data layer governs tables, and this table is shared by every custom object,
 * so these commands ask the permissions themselves, per object and per field.
 */
export interface CustomRecordTarget {
  object: ResolvedObject;
  permissions: Permissions | null;
}

const objectIdOf = (target: CustomRecordTarget) => target.object.sharedTable!.value;

const valuesInput = z.record(z.string(), z.unknown());

export const createCustomRecordInput = z.object({ values: valuesInput.nullish(), ownerId: fields.id.nullish() });
export const updateCustomRecordInput = z.object({
  id: fields.id,
  values: valuesInput.nullish(),
  ownerId: fields.id.nullish(),
  expectedUpdatedAt: fields.expectedUpdatedAt,
});
export const deleteCustomRecordInput = z.object({ id: fields.id, reason: z.string().trim().max(1000).nullish() });
export const restoreCustomRecordInput = z.object({ id: fields.id });
export const destroyCustomRecordInput = z.object({ id: fields.id });

/** FORBIDDEN unless the key may `action` the object and write each value it gives (hidden or read-only fields). */
function guard(target: CustomRecordTarget, action: 'create' | 'update' | 'delete', values: Record<string, unknown> | null | undefined, ownerGiven: boolean) {
  const { permissions, object } = target;
  if (!permissions) return;
  permissions.require(object, action);
  for (const name of Object.keys(values ?? {})) {
    const field = object.fields.get(name);
    // Unknown names are reported by the value check, as BAD_USER_INPUT.
    if (field) permissions.requireWritable(field);
  }
  if (ownerGiven) permissions.requireWritable(object.fields.get('ownerId')!);
}

/**
 * The record of this object, live (or trashed, or `'either'`), and visible under the key's own-records rule;
 * NOT_FOUND otherwise.
 */
async function loadRecord(scope: CommandScope, target: CustomRecordTarget, id: string, trashed: boolean | 'either' = false): Promise<CustomRecord> {
  const where = trashed === 'either' ? includingTrashed : trashed ? { deletedAt: { not: null } } : {};
  const row = await scope.tx.customRecord.findFirst({ where: { id, objectId: objectIdOf(target), ...where } });
  const owner = target.permissions?.ownerField(target.object);
  if (!row || (owner && row.ownerId !== target.permissions!.userId)) throw notFound(target.object.name, 'id');
  return row;
}

/** The changed values, by field name, as `{ name: { from, to } }` (the stored forms). */
async function valueChanges(scope: CommandScope, objectId: string, before: CustomValues, after: CustomValues) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  // The runner's cached definitions when it has them: a batch announces each record without a statement.
  for (const field of await (scope.definitions ?? ((object: string) => loadCustomFields(scope.tx, object)))(objectId)) {
    const from = before[field.key] ?? null;
    const to = after[field.key] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field.name] = { from, to };
  }
  return changes;
}

/** Creates a record of a custom object: its values checked against the definitions, owned by the key's user. */
export async function createCustomRecord(caller: Caller, target: CustomRecordTarget, raw: unknown): Promise<CustomRecord> {
  const input = parseInput(createCustomRecordInput, raw);
  guard(target, 'create', input.values, input.ownerId != null);
  return caller.run(async (scope) => {
    const objectId = objectIdOf(target);
    await assertOptionalInWorkspace(scope.tx, 'user', input.ownerId, 'ownerId');
    const values = await customValuesOf(scope, objectId, input.values ?? {}, null, undefined, '');
    // An own-records key creates its own records (it could not see any other): core objects' rule.
    target.permissions?.requireOwnOwner(target.object, input.ownerId, 'create');
    const own = target.permissions?.ownerField(target.object);
    const ownerId = own ? target.permissions!.userId : (input.ownerId ?? scope.session.userId ?? null);
    const row = await scope.tx.customRecord.create({
      data: { workspaceId: scope.session.workspaceId, objectId, ownerId, customFields: (values ?? {}) as Prisma.InputJsonObject },
    });
    scope.emit(recordEventType(target.object, 'created') as never, { type: target.object.name, id: row.id }, { object: target.object.name } as never);
    return row;
  });
}

/** An update of a custom record as its rule takes it: the values under `customFields`, as bulk inputs give them. */
const customRecordPatch = z.object({
  id: fields.id,
  customFields: valuesInput.nullish(),
  ownerId: fields.id.nullish(),
  expectedUpdatedAt: fields.expectedUpdatedAt,
});
type CustomRecordPatch = z.output<typeof customRecordPatch>;

/**
 * What `updateCustomRecord` does to a record (its batch too, bulk/custom-record-writer.ts): the key's rights on the
 * object and on each field it gives, the record of this object and in its sight (else NOT_FOUND), an own-records key
 * keeping it its own; the checked values (null clears one) and the owner written; `x.updated` with the changes.
 */
export function customRecordUpdate(target: CustomRecordTarget): UpdateRule<CustomRecord, CustomRecordPatch, Prisma.CustomRecordUncheckedUpdateInput, Promise<void>> {
  const objectId = objectIdOf(target);
  return {
    schema: customRecordPatch,
    change(input, before, values) {
      guard(target, 'update', input.customFields, input.ownerId !== undefined);
      const owner = target.permissions?.ownerField(target.object);
      if (before.objectId !== objectId || (owner && before.ownerId !== target.permissions!.userId)) throw notFound(target.object.name, 'id');
      // An own-records key cannot hand its records to someone else (they would leave its sight): core objects' rule.
      target.permissions?.requireOwnOwner(target.object, input.ownerId, 'update');
      return { customFields: values as Prisma.InputJsonObject | undefined, ownerId: input.ownerId };
    },
    async announce(scope, before, row, input) {
      const changes = await valueChanges(scope, objectId, before.customFields as CustomValues, row.customFields as CustomValues);
      if (input.ownerId !== undefined && input.ownerId !== before.ownerId) changes.ownerId = { from: before.ownerId, to: input.ownerId };
      if (Object.keys(changes).length) {
        scope.emit(recordEventType(target.object, 'updated') as never, { type: target.object.name, id: row.id }, { object: target.object.name, changed: Object.keys(changes), changes } as never);
      }
    },
  };
}

/** Changes the values it names (null clears one); CONFLICT when `expectedUpdatedAt` is not the record's ({@link customRecordUpdate}). */
export async function updateCustomRecord(caller: Caller, target: CustomRecordTarget, raw: unknown): Promise<CustomRecord> {
  const parsed = parseInput(updateCustomRecordInput, raw);
  const rule = customRecordUpdate(target);
  const input: CustomRecordPatch = { id: parsed.id, customFields: parsed.values, ownerId: parsed.ownerId, expectedUpdatedAt: parsed.expectedUpdatedAt };
  guard(target, 'update', input.customFields, input.ownerId !== undefined);
  return caller.run(async (scope) => {
    await lockForUpdate(scope, 'CustomRecord', input.id, { expectedUpdatedAt: input.expectedUpdatedAt });
    const before = await loadRecord(scope, target, input.id);
    const data = rule.change(input, before, undefined)!;
    await assertOptionalInWorkspace(scope.tx, 'user', input.ownerId, 'ownerId');
    const values = await customValuesOf(scope, objectIdOf(target), input.customFields ?? undefined, { id: before.id, values: before.customFields as CustomValues }, undefined, '');
    const row = await scope.tx.customRecord.update({ where: { id: before.id }, data: { ...data, customFields: (values ?? before.customFields) as Prisma.InputJsonObject } });
    await rule.announce(scope, before, row, input);
    return row;
  });
}

/** Moves a record to the trash (docs/data.md): it leaves lists, counts and relations until restored. */
export async function deleteCustomRecord(caller: Caller, target: CustomRecordTarget, raw: unknown): Promise<{ id: string }> {
  const input = parseInput(deleteCustomRecordInput, raw);
  guard(target, 'delete', null, false);
  return caller.run(async (scope) => {
    await lockForUpdate(scope, 'CustomRecord', input.id);
    const row = await loadRecord(scope, target, input.id);
    await scope.tx.customRecord.update({
      where: { id: row.id },
      data: { deletedAt: new Date(), deletedBy: scope.session.actor, deleteReason: input.reason ?? null },
    });
    scope.emit(recordEventType(target.object, 'deleted') as never, { type: target.object.name, id: row.id }, { object: target.object.name, reason: input.reason ?? null } as never);
    return { id: row.id };
  });
}

/** Brings a trashed record back. */
export async function restoreCustomRecord(caller: Caller, target: CustomRecordTarget, raw: unknown): Promise<CustomRecord> {
  const input = parseInput(restoreCustomRecordInput, raw);
  guard(target, 'delete', null, false);
  return caller.run(async (scope) => {
    const trashed = await loadRecord(scope, target, input.id, true);
    // A unique value taken by a live record meanwhile: the restore would break the rule.
    await assertRestorable(scope.tx, objectIdOf(target), trashed.id, trashed.customFields as CustomValues);
    const row = await scope.tx.customRecord.update({ where: { id: trashed.id, ...includingTrashed }, data: { deletedAt: null, deletedBy: null, deleteReason: null } });
    scope.emit(recordEventType(target.object, 'restored') as never, { type: target.object.name, id: row.id }, { object: target.object.name } as never);
    return row;
  });
}

/** `destroyX` (ADMIN): removes a record for good, from the trash or not; relation values pointing at it are cleared. */
export async function destroyCustomRecord(caller: Caller, target: CustomRecordTarget, raw: unknown): Promise<{ id: string }> {
  const input = parseInput(destroyCustomRecordInput, raw);
  guard(target, 'delete', null, false);
  return caller.run(
    async (scope) => {
      await lockForUpdate(scope, 'CustomRecord', input.id);
      const row = await loadRecord(scope, target, input.id, 'either');
      await destroyCustomRecords(scope, [{ id: row.id, objectId: row.objectId, name: target.object.name }], null);
      return { id: row.id };
    },
    { role: 'ADMIN' },
  );
}
