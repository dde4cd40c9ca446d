// One batch update writer for every declared object (bulk writes, upserts, a plugin's `updateRelated`): what the
// object's single update does to one record — its input schema, its change, its events — done to N records with a
// fixed number of statements. What is the same for every object is derived from its declaration (its table, the
// references it may be given, its custom fields); what is the object's own is the rule its single update command
// runs too (`taskUpdate` in tasks.ts), so both paths say it once.
import type { z } from 'zod';
import type { CommandScope } from '../../command.js';
import { CUSTOM_VALUES_COLUMN } from '../../custom-fields/field-types.js';
import { type CustomValues, type UnclaimedCustomValues, uncheckedCustomValuesOfMany } from '../../custom-fields/field-values.js';
import type { ObjectDeclaration } from '../../objects/declaration.js';
import type { ObjectWriter } from '../../objects/writer.js';
import type { LockableModel } from '../../record-lock.js';
import { missingInWorkspace, missingReference } from '../../references.js';
import { parseInput } from '../../validation.js';
import { BatchRows } from './batch-rows.js';
import { lockedRecords, recordsById } from './locked-rows.js';
import { refuseForbidden, updateBatchRows } from './update-rows.js';

type Referable = Parameters<typeof missingInWorkspace>[1];
type Parsed = { id: string; expectedUpdatedAt?: Date | null; customFields?: unknown };

/** What an object's single update does to one record, apart from reading and writing it: shared by both paths. */
export interface UpdateRule<Row extends { id: string }, Input extends Parsed, Data extends object = Record<string, unknown>, Announced = unknown> {
  /** The single update's input schema (with `id` and `expectedUpdatedAt`). */
  schema: z.ZodType<Input>;
  /**
   * The record's new column values (a Prisma update's `data`: left out or undefined, unchanged), or null when the input
   * changes nothing (no write, no event, `updatedAt` kept). Pure: throwing refuses the record with that error.
   * `customFields`: its checked custom values (objects with custom fields; undefined: unchanged).
   */
  change(input: Input, before: Row, customFields: CustomValues | undefined): Data | null;
  /**
   * A check that needs the database, made once for the batch's changed rows (a product's SKU free): by row, the error
   * that refuses it, or undefined. Optional; the single update makes its own (one record, one lookup).
   */
  checkBatch?(scope: CommandScope, inputs: readonly Input[]): Promise<readonly unknown[]>;
  /** Once written: the record's events (and follow-up rows), exactly as the single update announces them. */
  announce(scope: CommandScope, before: Row, after: Row, input: Input): Announced;
  /** `announce` for all the records a batch wrote, when their follow-up rows take statements: a few for them all. */
  announceMany?(scope: CommandScope, written: readonly Written<Row, Input>[]): Promise<unknown>;
}

/** A record a batch wrote: as read under its lock, as written, and the row's input. */
export interface Written<Row, Input> {
  before: Row;
  after: Row;
  input: Input;
}

/**
 * Where a batch update writes, apart from the rule: derived from an object's declaration ({@link declaredUpdateBatch}),
 * or from a workspace's custom object (custom-record-writer.ts: its records share the `CustomRecord` table).
 */
export interface BatchTarget {
  model: LockableModel;
  /** The object NOT_FOUND names. @default the model */
  name?: string;
  /**
   * Its custom values: the definitions' object (its name, a custom object's id), the path their errors name (core
   * objects: `customFields.`), and whether the key's field rights are checked there (a custom object's rule checks
   * them itself). Null: the object takes none.
   */
  customFields: { object: string; prefix: string; rights: boolean } | null;
  /** The reference fields an update may set, with the table each must be a row of (its workspace's). */
  references: readonly (readonly [field: string, table: Referable])[];
}

/** The reference fields an update may set, with the table each must be a row of (its workspace's). */
function updatableReferences(object: ObjectDeclaration): [field: string, table: Referable][] {
  return Object.entries(object.fields)
    .filter(([, field]) => field.kind === 'reference' && field.references && (field.write === true || field.write === 'update'))
    .map(([name, field]) => [field.column ?? name, (field.references!.charAt(0).toLowerCase() + field.references!.slice(1)) as Referable]);
}

/** The object's `updateBatch` ({@link updateBatchOf}) on what its declaration says: its table, references, custom fields. */
export function declaredUpdateBatch<Row extends { id: string }, Input extends Parsed, Data extends object>(
  object: ObjectDeclaration,
  rule: UpdateRule<Row, Input, Data, unknown>,
): NonNullable<ObjectWriter['updateBatch']> {
  const target: BatchTarget = {
    model: (object.model ?? object.name) as LockableModel,
    name: object.name,
    customFields: object.customFields ? { object: object.name, prefix: 'customFields.', rights: true } : null,
    references: updatableReferences(object),
  };
  return updateBatchOf(target, rule);
}

/**
 * An object's `updateBatch` (writer.ts): every row parsed by the rule's schema; the records locked in id order
 * (`expectedUpdatedAt` checked) and read as the scope sees them (its workspace, its role's rows, never the trash:
 * NOT_FOUND as the single update answers); each row's change; custom values and references checked once per batch;
 * one UPDATE for all (the role's field rights checked per row, `updatedAt` stamped); the records read back, and each one's
 * events. A refused row is answered in place and not written; the others are.
 */
export function updateBatchOf<Row extends { id: string }, Input extends Parsed, Data extends object>(
  target: BatchTarget,
  rule: UpdateRule<Row, Input, Data, unknown>,
): NonNullable<ObjectWriter['updateBatch']> {
  const { model, customFields, references } = target;
  return async (scope, items) => {
    type Item = { input: Input; before?: Row; data?: Record<string, unknown> | null };
    const rows = BatchRows.of<{ id: string; patch: Record<string, unknown> }, Item>(items, ({ id, patch }) => ({ input: parseInput(rule.schema, { ...patch, id }) }));
    const befores = await lockedRecords<Row, Item>(scope, model, rows, target.name);
    rows.each((row) => ({ ...row, before: befores.get(row.input.id)! }));
    const live = rows.live();
    const custom: UnclaimedCustomValues | null = customFields
      ? await uncheckedCustomValuesOfMany(
          scope,
          customFields.object,
          live.map(([, row]) => ({ input: row.input.customFields, before: { id: row.before!.id, values: (row.before as Record<string, unknown>)[CUSTOM_VALUES_COLUMN] as CustomValues } })),
          customFields.rights ? scope.permissions : undefined,
          customFields.prefix,
        )
      : null;
    live.forEach(([index, row], i) => {
      const values = custom?.values[i];
      if (values instanceof Error) return rows.refuse(index, values);
      try {
        row.data = rule.change(row.input, row.before!, values) as Record<string, unknown> | null;
      } catch (error) {
        rows.refuse(index, error);
      }
    });
    // A row the key's rights refuse (an own-records key handing a record over) is refused before the rows claim unique
    // values (custom ones, the rule's own), so it takes none from another row of the batch.
    const changeOf = (row: Item) => ({ id: row.input.id, before: row.before!, data: row.data! });
    refuseForbidden(scope, model, rows, rows.live().filter(([, row]) => row.data !== null), changeOf);
    const claims = custom ? await custom.claim((i) => rows.values[live[i]![0]] !== null) : new Map<number, Error>();
    for (const [i, error] of claims) rows.refuse(live[i]![0], error);
    if (rule.checkBatch) {
      const checked = rows.live();
      const refusals = await rule.checkBatch(scope, checked.map(([, row]) => row.input));
      checked.forEach(([index], i) => refusals[i] && rows.refuse(index, refusals[i]));
    }
    for (const [field, table] of references) {
      const values = (row: Item) => (row.input as Record<string, unknown>)[field] as string | null | undefined;
      const missing = await missingInWorkspace(scope.tx, table, rows.live().map(([, row]) => values(row)));
      if (!missing.size) continue;
      rows.each((row) => {
        const id = values(row);
        if (id && missing.has(id)) throw missingReference(table, field);
      });
    }
    const changing: [number, Item][] = [];
    for (const [index, row] of rows.live()) {
      // Nothing to change: answered as it is, unwritten, as the single update answers it.
      if (row.data === null) rows.written(index, row.input.id);
      else changing.push([index, row]);
    }
    // A row the key's rights refuse (an own-records key handing a record over) is refused; the others written.
    const changed = await updateBatchRows(scope, model, rows, changing, changeOf);
    const afters = await recordsById<Row>(scope, model, changed.map(([, row]) => row.input.id));
    const written = changed.map(([index, row]) => {
      rows.written(index, row.input.id);
      return { before: row.before!, after: afters.get(row.input.id)!, input: row.input };
    });
    if (rule.announceMany) await rule.announceMany(scope, written);
    else for (const { before, after, input } of written) await rule.announce(scope, before, after, input);
    return rows.answer();
  };
}
