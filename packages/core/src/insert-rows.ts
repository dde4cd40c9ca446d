// One INSERT statement for many rows of a model, sent as one JSON parameter (bulk writes, imports, a command's events).
// Prisma's createMany of 1,000 rows binds every value as its own parameter and builds the statement in its query
// compiler: most of an import's CPU and its memory peak (docs/performance.md, "Bulk writes and import"). Here the rows
// travel as one jsonb value that PostgreSQL turns back into typed rows (`jsonb_populate_recordset`).
import { executeRawIn, getDatamodel, isTrashable, Prisma, queryRawIn, type ScopedTransaction, workspaceFilter } from '@crm/db';
import { rowAccessOf } from './permissions/write-guard.js';
import type { Permissions } from './permissions/permissions.js';
import { newRowId } from './uuid.js';

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const models = getDatamodel().datamodel.models;

/** What Prisma fills in on the client for a create: the id (`@default(uuid(7))`) and `@updatedAt`. */
function clientDefaults(model: string): { id: boolean; updatedAt: string[] } {
  const fields = models[model]?.fields;
  if (!fields) throw new Error(`insertRows: no model ${model}`);
  return {
    id: fields.some((field) => field.name === 'id' && field.isId && field.hasDefaultValue && field.type === 'String'),
    updatedAt: fields.filter((field) => field.isUpdatedAt).map((field) => field.name),
  };
}

/** A column value as JSON text PostgreSQL reads back into the column's type (money as its decimal string). */
export function jsonValue(value: unknown): unknown {
  if (value instanceof Prisma.Decimal) return value.toString();
  if (value instanceof Date) return value.toISOString();
  return value;
}

/**
 * Inserts `rows` (Prisma's unchecked create data: plain column values, no nested writes) into `model` in one statement
 * (one per distinct set of given columns), ids and `@updatedAt` filled in as Prisma does, other missing columns taking
 * their database defaults. Returns the rows' ids, in order. With `permissions` that restrict writes, the rows pass the
 * data layer's write guard first, as a Prisma `createMany` would (`rowAccessOf`: FORBIDDEN fields, own records). Raw
 * SQL: the rows must carry their `workspaceId`.
 */
export async function insertRows(
  tx: ScopedTransaction,
  model: string,
  rows: readonly Record<string, unknown>[],
  permissions?: Permissions,
): Promise<string[]> {
  return (await writeRows(tx, model, rows, permissions, false)).ids;
}

/** {@link insertRows}, answering the rows as inserted (whole, database defaults included, in Prisma's types), in order. */
export async function insertRowsReturning<R extends { id: string }>(
  tx: ScopedTransaction,
  model: string,
  rows: readonly Record<string, unknown>[],
  permissions?: Permissions,
): Promise<R[]> {
  const { ids, inserted } = await writeRows<R>(tx, model, rows, permissions, true);
  const byId = new Map(inserted.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id)!);
}

/** A reference a row is inserted with only when it holds: its `column` null, or naming a live row of `model` in the row's workspace. */
export interface InsertReference {
  column: string;
  model: string;
}

/**
 * {@link insertRowsReturning}, inserting only the rows whose `reference` holds, checked by the insert itself (each row's
 * referenced row looked up by its key): one statement instead of a read of the referenced rows before the insert.
 * Answers by row, in order: the row as inserted, or null when its reference does not hold (gone, trashed, another
 * workspace's). For callers whose reads no custom role restricts (the check does not apply a role's row conditions).
 */
export async function insertRowsIfReferenced<R extends { id: string }>(
  tx: ScopedTransaction,
  model: string,
  rows: readonly Record<string, unknown>[],
  reference: InsertReference,
): Promise<(R | null)[]> {
  const { ids, inserted } = await writeRows<R>(tx, model, rows, undefined, true, reference);
  const byId = new Map(inserted.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** The condition of an insert's rows (`v`) that `reference` holds (a lookup by key per row: an `OR` keeps it a subplan, not a join). */
function referenceHolds({ column, model }: InsertReference): string {
  for (const name of [column, model]) if (!COLUMN.test(name)) throw new Error(`insertRows: not a name: ${name}`);
  const live = isTrashable(model) ? ` AND r."deletedAt" IS NULL` : '';
  return ` WHERE v."${column}" IS NULL OR EXISTS (SELECT FROM "${model}" r WHERE r."id" = v."${column}" AND ${workspaceFilter('r."workspaceId"', 'v."workspaceId"')}${live})`;
}

/** The statements that insert `rows` into `model` (one per distinct set of given columns), and the rows' ids in order. */
export function insertStatements(
  model: string,
  rows: readonly Record<string, unknown>[],
  permissions?: Permissions,
  reference?: InsertReference,
): { ids: string[]; statements: { text: string; values: unknown[] }[] } {
  const ids: string[] = [];
  if (!rows.length) return { ids, statements: [] };
  const guarded = permissions?.restrictsRows ? (rowAccessOf(permissions).write(model, 'createMany', { data: rows }).data as Record<string, unknown>[]) : rows;
  const defaults = clientDefaults(model);
  const now = new Date().toISOString();
  // By the columns given (undefined is "not given": the column's default applies): one statement per distinct set.
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const given of guarded) {
    const row: Record<string, unknown> = {};
    for (const column of defaults.updatedAt) row[column] = now;
    for (const [column, value] of Object.entries(given)) if (value !== undefined) row[column] = jsonValue(value);
    if (defaults.id && row.id === undefined) row.id = newRowId();
    ids.push(row.id as string);
    const key = Object.keys(row).sort().join(',');
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const statements = [...groups].map(([key, group]) => {
    const columns = key.split(',');
    for (const column of columns) if (!COLUMN.test(column)) throw new Error(`insertRows: not a column name: ${column}`);
    const list = columns.map((column) => `"${column}"`).join(', ');
    const where = reference ? ` AS v${referenceHolds(reference)}` : '';
    return { text: `INSERT INTO "${model}" (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::"${model}", $1::jsonb)${where}`, values: [JSON.stringify(group)] };
  });
  return { ids, statements };
}

async function writeRows<R>(
  tx: ScopedTransaction,
  model: string,
  rows: readonly Record<string, unknown>[],
  permissions: Permissions | undefined,
  returning: boolean,
  reference?: InsertReference,
): Promise<{ ids: string[]; inserted: R[] }> {
  const { ids, statements } = insertStatements(model, rows, permissions, reference);
  const inserted: R[] = [];
  for (const { text, values } of statements) {
    if (returning) inserted.push(...(await queryRawIn<R>(tx, `${text} RETURNING *`, ...values)));
    else await executeRawIn(tx, text, ...values);
  }
  return { ids, inserted };
}
