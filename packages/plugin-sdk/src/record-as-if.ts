// A record as it would be with other values, for `objects.matches(…, { values })`: a condition is evaluated by the one
// evaluator (SQL over the row), so the values are written to the row — columns by their field, custom values into
// their JSON — and undone at once: in a transaction rolled back (a client), or behind a savepoint rolled back to (a
// transaction). Nothing stays, and no other transaction sees it; a concurrent writer of the row waits those few statements.
import type { ResolvedObject } from '@crm/core';

type Row = Record<string, unknown>;
interface Delegate {
  findFirst(args: object): Promise<Row | null>;
  updateMany(args: object): Promise<unknown>;
}
interface Client {
  $transaction<R>(fn: (tx: object) => Promise<R>): Promise<R>;
  $executeRawUnsafe(query: string): Promise<unknown>;
}

class RolledBack<T> {
  constructor(readonly value: T) {}
}

async function apply(tx: object, object: ResolvedObject, id: string, values: Readonly<Record<string, unknown>>): Promise<void> {
  const rows = (tx as Record<string, Delegate>)[`${object.model.charAt(0).toLowerCase()}${object.model.slice(1)}`]!;
  const data: Row = {};
  const json: Record<string, Row> = {};
  for (const [name, value] of Object.entries(values)) {
    const field = object.fields.get(name);
    if (!field) continue;
    if (field.stored) (json[field.stored.json] ??= {})[field.stored.key] = value;
    else data[field.column] = value;
  }
  if (Object.keys(json).length) {
    const row = (await rows.findFirst({ where: { id }, select: Object.fromEntries(Object.keys(json).map((column) => [column, true])) })) ?? {};
    for (const [column, set] of Object.entries(json)) data[column] = { ...((row[column] as Row | null) ?? {}), ...set };
  }
  if (Object.keys(data).length) await rows.updateMany({ where: { id }, data });
}

/** `test` on the record `id` of `object` with `values` in place of its own; then the values are undone. */
export async function withValuesApplied<T>(db: object, object: ResolvedObject, id: string, values: Readonly<Record<string, unknown>>, test: (reader: object) => Promise<T>): Promise<T> {
  const client = db as Client;
  // In a transaction, a savepoint of our own (a transaction's nested `$transaction` is one some adapters lack: PGlite's).
  // Refused outside one (a client, whatever its wrapping says): then a transaction rolled back.
  const inTransaction = await client.$executeRawUnsafe('SAVEPOINT record_as_if').then(
    () => true,
    () => false,
  );
  if (!inTransaction) {
    try {
      return await client.$transaction(async (tx) => {
        await apply(tx, object, id, values);
        throw new RolledBack(await test(tx));
      });
    } catch (error) {
      if (error instanceof RolledBack) return error.value as T;
      throw error;
    }
  }
  try {
    await apply(db, object, id, values);
    return await test(db);
  } finally {
    await client.$executeRawUnsafe('ROLLBACK TO SAVEPOINT record_as_if');
  }
}
