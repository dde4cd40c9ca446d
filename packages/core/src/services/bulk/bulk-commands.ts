// Bulk writes and upserts for every writable declared object (docs/data.md, "Bulk writes and upserts"): one
// transaction per call, each row through the object's single-record command.
import { queryRawIn } from '@crm/db';
import type { Caller, CommandScope } from '../../command.js';
import { badInput } from '../../errors.js';
import type { ResolvedObject } from '../../objects/declaration.js';
import type { FilterNode } from '../../objects/filter/filter-node.js';
import type { ObjectCatalog } from '../../objects/catalog.js';
import { matchingRowsSql, sqlFilterContext } from '../../objects/sql/matching-rows.js';
import type { ObjectWriter } from '../../objects/writer.js';
import { CUSTOM_VALUES_COLUMN } from '../../custom-fields/field-types.js';
import { trashObjectOfType, trashRecord } from '../trash/index.js';
import { callerIn } from './caller-in.js';
import { keyMatches } from './key-matches.js';
import { coreWriters } from './core-writers.js';
import { customRecordWriter } from './custom-record-writer.js';
import { type BatchWrite, type RowOutcome, rowsCommand, type RowsCommandOptions, type RowsResult } from './row-runner.js';

import { BULK_LIMIT } from './bulk-limit.js';

export { BULK_LIMIT };

type Input = Record<string, unknown>;

/**
 * Which records a bulk update or delete targets: row ids, or a filter of the caller's workspace, like every read
 * (with the catalog it was parsed against: the workspace's, custom fields and objects included).
 */
export type BulkTarget = { ids: readonly string[] } | { filter: FilterNode; catalog: ObjectCatalog };

/**
 * The object's writer with its defaults: the declaration's, else core's (a custom object's: its record commands),
 * with delete = the trash when trashable.
 */
export function writerOf(object: ResolvedObject): ObjectWriter | null {
  const declared = object.writer ?? (object.sharedTable ? customRecordWriter(object) : coreWriters[object.name]);
  if (!declared) return null;
  const trashed = trashObjectOfType(object.model);
  const trash = trashed
    ? async (scope: CommandScope, id: string, reason: string | null) => void (await trashRecord(callerIn(scope), trashed.name, { id, reason }))
    : undefined;
  return { ...declared, delete: declared.delete ?? trash };
}

function requireWriter<K extends 'create' | 'update' | 'delete'>(object: ResolvedObject, action: K): Required<Pick<ObjectWriter, K>> & ObjectWriter {
  const writer = writerOf(object);
  if (!writer?.[action]) throw badInput(`${object.name} records cannot be ${action === 'create' ? 'created' : `${action}d`} in bulk`);
  return writer as Required<Pick<ObjectWriter, K>> & ObjectWriter;
}

function assertBatch(count: number, field: string) {
  if (count === 0) throw badInput(`${field}: give at least one`, field);
  if (count > BULK_LIMIT) throw badInput(`${field}: at most ${BULK_LIMIT.toLocaleString('en')} records per call (${count} given)`, field);
}

const delegateOf = (scope: CommandScope, object: ResolvedObject) =>
  (scope.tx as unknown as Record<string, { findMany(args: object): Promise<Record<string, unknown>[]> }>)[object.model.charAt(0).toLowerCase() + object.model.slice(1)]!;

/** `createXs(inputs)`: every input created, or none (BAD_USER_INPUT with `extensions.rows`). */
export async function bulkCreate(caller: Caller, object: ResolvedObject, inputs: readonly Input[]): Promise<string[]> {
  assertBatch(inputs.length, 'inputs');
  const writer = requireWriter(object, 'create');
  const result = await rowsCommand(caller, inputs, async (scope, input) => ({ id: (await writer.create(scope, input)).id, created: true }), {
    batch: createBatchOf(writer),
  });
  return idsOf(result);
}

type Outcomes = (RowOutcome | { error: unknown })[];
const asOutcomes = (rows: Awaited<ReturnType<NonNullable<ObjectWriter['createBatch']>>>, created: boolean): Outcomes =>
  rows.map((row) => ('error' in row ? row : { id: row.id, created }));

/** The writer's whole-batch create, when it has one (else each row runs `create`). */
export function createBatchOf(writer: ObjectWriter): BatchWrite<Input> | undefined {
  const { createBatch } = writer;
  return createBatch ? async (scope, inputs) => asOutcomes(await createBatch(scope, inputs), true) : undefined;
}

/**
 * The row ids a target names, in the transaction: ids as given (one not found is that row's NOT_FOUND), or the
 * filter's matches in the caller's workspace (more than BULK_LIMIT is refused: page by ids).
 */
async function targetIds(scope: CommandScope, object: ResolvedObject, target: BulkTarget): Promise<string[]> {
  if ('ids' in target) return [...target.ids];
  // The read engine's filter compiler (custom fields and relation fields filter as in the list), with the key's rows.
  const context = sqlFilterContext(target.catalog, scope.session.workspaceId, scope.permissions);
  const statement = `${matchingRowsSql(context, object, target.filter, 'r')} ORDER BY r."id" LIMIT ${BULK_LIMIT + 1}`;
  const rows = await queryRawIn<{ id: string }>(scope.tx, statement, ...context.params.values);
  if (rows.length > BULK_LIMIT) throw badInput(`where.filter: matches more than ${BULK_LIMIT.toLocaleString('en')} records; narrow it, or page through them by ids`, 'where.filter');
  return rows.map((row) => row.id);
}

/** Bulk update or delete of a target: the ids are resolved inside the same transaction as the writes. */
async function targetCommand(
  caller: Caller,
  object: ResolvedObject,
  target: BulkTarget,
  write: (scope: CommandScope, id: string) => Promise<unknown>,
  batch?: BatchWrite<string>,
): Promise<string[]> {
  if ('ids' in target) assertBatch(target.ids.length, 'where.ids');
  const result = await rowsCommand(
    caller,
    (scope) => targetIds(scope, object, target),
    async (scope, id) => {
      await write(scope, id);
      return { id, created: false };
    },
    { batch },
  );
  return idsOf(result);
}

/** `updateXs(where, patch)`: the same patch to every targeted record, all or nothing. Returns the updated ids. */
export async function bulkUpdate(caller: Caller, object: ResolvedObject, target: BulkTarget, patch: Input): Promise<string[]> {
  const writer = requireWriter(object, 'update');
  if (!Object.values(patch).some((value) => value !== undefined)) throw badInput('patch: name at least one field to change', 'patch');
  const { updateBatch } = writer;
  // An id named twice is updated twice, row by row, as single updates would.
  const batch: BatchWrite<string> | undefined = updateBatch
    ? async (scope, ids) => (new Set(ids).size === ids.length ? asOutcomes(await updateBatch(scope, ids.map((id) => ({ id, patch }))), false) : null)
    : undefined;
  return targetCommand(caller, object, target, (scope, id) => writer.update(scope, id, patch), batch);
}

/** `deleteXs(where)`: every targeted record deleted (to the trash, like `deleteX`), all or nothing. */
export async function bulkDelete(caller: Caller, object: ResolvedObject, target: BulkTarget, reason: string | null): Promise<string[]> {
  const writer = requireWriter(object, 'delete');
  return targetCommand(caller, object, target, (scope, id) => writer.delete(scope, id, reason));
}

/** The unique keys `upsertX(on:)` accepts: the declared single-field keys. */
export function upsertKeysOf(object: ResolvedObject): string[] {
  return object.uniqueKeys.filter((key) => key.length === 1).map((key) => key[0]!);
}

export interface UpsertOptions extends Pick<RowsCommandOptions, 'partial' | 'dryRun' | 'finish'> {
  /** The unique key matched on (a declared single-field key). */
  on: string;
}

/**
 * Upserts: each input updates the live record with the same key (its updatable fields; create-only fields are
 * ignored then) or creates one. Matches are read in one statement per call; a key seen twice in one call updates
 * the record the first one made. An input without the key is refused (a rerun could not find what it made).
 */
export async function upsertRecords(caller: Caller, object: ResolvedObject, inputs: readonly Input[], options: UpsertOptions): Promise<RowsResult> {
  assertBatch(inputs.length, 'inputs');
  if (!upsertKeysOf(object).includes(options.on)) throw badInput(`on: ${object.name} has no unique key ${options.on}`, 'on');
  const writer = requireWriter(object, 'create');
  const keyField = object.fields.get(options.on)!;
  const keyOf = (input: Input) => {
    // A custom field's value is in the input's `customFields` (a custom object's keys are its unique fields).
    const value = keyField.stored ? (input[CUSTOM_VALUES_COLUMN] as Input | null | undefined)?.[options.on] : input[options.on];
    if (value === undefined || value === null || value === '') return null;
    return writer.key ? writer.key(options.on, value) : { column: options.on, value };
  };
  const keys = inputs.map(keyOf);
  const column = keys.find((key) => key)?.column ?? options.on;
  const updatable = new Set([...object.fields.values()].filter((field) => field.write === true || field.write === 'update').map((field) => field.name));
  let existing = new Map<string, string>();
  // Custom field values are updatable (each definition's rules are checked by the writer).
  const patchOf = (input: Input) => Object.fromEntries(Object.entries(input).filter(([field]) => updatable.has(field) || field === CUSTOM_VALUES_COLUMN));
  const { createBatch, updateBatch } = writer;
  // The whole call at once: creates in one batch, updates of the matched records in another. A key given twice
  // (the second row updates what the first creates) runs row by row.
  const batch: BatchWrite<Input> | undefined = createBatch
    ? async (scope, items) => {
        const seen = new Set<string>();
        for (const key of keys) {
          if (!key) continue;
          if (seen.has(String(key.value))) return null;
          seen.add(String(key.value));
        }
        const outcomes: Outcomes = [];
        const creates: number[] = [];
        const updates: number[] = [];
        items.forEach((_, index) => {
          const key = keys[index];
          if (!key) outcomes[index] = { error: badInput(`${options.on}: required to upsert on it`, options.on) };
          else if (!existing.has(String(key.value))) creates.push(index);
          else if (!writer.update) outcomes[index] = { error: badInput(`${object.name} records cannot be updated; this ${options.on} exists`, options.on) };
          else updates.push(index);
        });
        if (updates.length && !updateBatch) return null;
        if (creates.length) asOutcomes(await createBatch(scope, creates.map((index) => items[index]!)), true).forEach((row, i) => (outcomes[creates[i]!] = row));
        if (updates.length) {
          const rows = updates.map((index) => ({ id: existing.get(String(keys[index]!.value))!, patch: patchOf(items[index]!) }));
          asOutcomes(await updateBatch!(scope, rows), false).forEach((row, i) => (outcomes[updates[i]!] = row));
        }
        return outcomes;
      }
    : undefined;
  return rowsCommand(
    caller,
    inputs,
    async (scope, input, index) => {
      const key = keys[index];
      if (!key) throw badInput(`${options.on}: required to upsert on it`, options.on);
      const match = existing.get(String(key.value));
      if (match) {
        if (!writer.update) throw badInput(`${object.name} records cannot be updated; this ${options.on} exists`, options.on);
        await writer.update(scope, match, patchOf(input));
        return { id: match, created: false };
      }
      const { id } = await writer.create(scope, input);
      existing.set(String(key.value), id);
      return { id, created: true };
    },
    {
      ...options,
      batch,
      prepare: async (scope) => {
        const values = [...new Set(keys.filter((key) => key).map((key) => key!.value))];
        // Found by the key's index, then read back through the caller's scope (workspace, trash, permissions).
        const matches = await keyMatches(scope, object, keyField, column, values);
        const rows = matches.length ? await delegateOf(scope, object).findMany({ where: { id: { in: matches.map((match) => match.id) } }, select: { id: true } }) : [];
        const visible = new Set(rows.map((row) => row.id as string));
        existing = new Map(matches.filter((match) => visible.has(match.id)).map((match) => [match.value, match.id]));
      },
    },
  );
}

function idsOf(result: RowsResult): string[] {
  return result.outcomes.map((outcome) => outcome!.id);
}
