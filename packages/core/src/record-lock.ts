import { getDatamodel, isTrashable, queryRawIn, workspaceFilter } from '@crm/db';
import type { CommandScope } from './command.js';
import { conflict, notFound } from './errors.js';

/**
 * The concurrency rule for updates (docs/architecture.md, "Concurrent updates"): a command that changes a record
 * first locks its row until commit, so commands on one record run one after the other and each reads what the
 * previous one wrote (a stage change's `from` is the stage the last change left). A client that must not
 * overwrite a change it has not seen sends `expectedUpdatedAt` (the `updatedAt` it read) and gets CONFLICT when
 * the record changed since.
 */
export interface LockOptions {
  /** The input field naming the record, for NOT_FOUND. @default "id" */
  field?: string;
  /** The record's `updatedAt` as the client last read it; a different current value is a CONFLICT. */
  expectedUpdatedAt?: Date | null;
}

const models = getDatamodel().datamodel.models;

/** Models whose rows commands lock: workspace-owned, with a uuid `id`. */
export type LockableModel = 'Customer' | 'Company' | 'Deal' | 'Ticket' | 'Task' | 'Product' | 'Pipeline' | 'Stage' | 'User' | 'Webhook' | 'ApiKey' | 'Campaign' | 'CustomRecord';

/** Whether the model keeps an `updatedAt` (Prisma's `@updatedAt`): only those offer the optimistic precondition. */
const versionedModels = new Set(Object.entries(models).filter(([, model]) => model.fields.some((field) => field.name === 'updatedAt' && field.isUpdatedAt)).map(([name]) => name));
const versioned = (model: LockableModel) => versionedModels.has(model);

/**
 * Locks the row of `model` with `id` in the command's workspace (`SELECT … FOR UPDATE`, held until the command's
 * transaction ends), then checks `expectedUpdatedAt`. Call it before reading the record the command changes.
 * Throws NOT_FOUND when there is no such record in the workspace, CONFLICT when the precondition fails.
 */
export async function lockForUpdate(scope: CommandScope, model: LockableModel, id: string, options: LockOptions = {}): Promise<void> {
  const hasVersion = versioned(model);
  // Raw SQL (Prisma has no row locks), so the workspace condition is written here rather than by the scoped client.
  const rows = await queryRawIn<{ updatedAt: Date | null }>(
    scope.tx,
    `SELECT ${hasVersion ? '"updatedAt"' : 'NULL::timestamptz AS "updatedAt"'} FROM "${model}" WHERE "id" = $1::uuid AND "workspaceId" = $2::uuid FOR UPDATE`,
    id,
    scope.session.workspaceId,
  );
  checkLocked(model, rows[0], options);
}

/**
 * {@link lockForUpdate}, then the locked row, whole: in the same statement when the caller's rows are not restricted
 * (one round trip instead of two; raw results carry Prisma's types: `Decimal`, `Date`, parsed JSON), else through
 * `read` (the scoped client, which applies a custom role's row conditions). A trashed record is NOT_FOUND, as the
 * scoped client's read says.
 */
export async function lockAndRead<Row extends object>(
  scope: CommandScope,
  model: LockableModel,
  id: string,
  read: () => Promise<Row | null>,
  options: LockOptions = {},
): Promise<Row> {
  if (scope.permissions?.restrictsRows) {
    await lockForUpdate(scope, model, id, options);
    const row = await read();
    if (!row) throw notFound(model, options.field ?? 'id');
    return row;
  }
  const [found] = await selectLocked<Row & { updatedAt?: Date | null; deletedAt?: Date | null }>(scope, model, [id]);
  const row = checkLocked(model, found, options);
  if (isTrashable(model) && row.deletedAt != null) throw notFound(model, options.field ?? 'id');
  return row;
}

/**
 * The rows of `ids` (distinct, locked in id order: two callers over overlapping rows wait instead of deadlocking), locked
 * and read whole. Each is looked up by its key, whatever the table's statistics: one `id = ANY(…)` scan walked the
 * workspace's entries of an index led by `workspaceId` on a table without statistics, or the whole of a small table.
 */
function selectLocked<Row>(scope: CommandScope, model: LockableModel, ids: readonly string[]): Promise<Row[]> {
  return queryRawIn<Row>(
    scope.tx,
    `SELECT r.* FROM unnest($1::uuid[]) WITH ORDINALITY AS k("id", n)
     CROSS JOIN LATERAL (SELECT * FROM "${model}" WHERE "id" = k."id" AND ${workspaceFilter('"workspaceId"', '$2::uuid')} FOR UPDATE) r ORDER BY k.n`,
    [...new Set(ids.map((id) => id.toLowerCase()))].sort(), // PostgreSQL's uuid order, whatever case the ids came in
    scope.session.workspaceId,
  );
}

/**
 * {@link lockAndRead} for many rows of one model (commands answering item by item): the rows of `ids` locked and read
 * in one statement (a restricted caller: locked, then read through `read`, the scoped client), by id. A row not there
 * (gone, trashed, another workspace's, not visible to the caller) is absent from the answer: the caller's NOT_FOUND.
 */
export async function lockAndReadMany<Row extends { id: string }>(
  scope: CommandScope,
  model: LockableModel,
  ids: readonly string[],
  read: (ids: string[]) => Promise<Row[]>,
  /** Keep trashed rows in the answer (`read` then reads them too: `includingTrashed`). @default false */
  options: { trashed?: boolean } = {},
): Promise<Map<string, Row>> {
  if (!ids.length) return new Map();
  let rows: Row[];
  if (scope.permissions?.restrictsRows) {
    await lockManyForUpdate(scope, model, ids.map((id) => ({ id })));
    rows = await read([...new Set(ids)]);
  } else {
    const locked = await selectLocked<Row & { deletedAt?: Date | null }>(scope, model, ids);
    rows = isTrashable(model) && !options.trashed ? locked.filter((row) => row.deletedAt == null) : locked;
  }
  return new Map(rows.map((row) => [row.id, row]));
}

/** The locked row's checks: NOT_FOUND when there is none, CONFLICT when `expectedUpdatedAt` is not its `updatedAt`. */
function checkLocked<Row extends { updatedAt?: Date | null }>(model: LockableModel, row: Row | undefined, options: LockOptions): Row {
  if (!row) throw notFound(model, options.field ?? 'id');
  const expected = options.expectedUpdatedAt;
  if (expected == null) return row;
  if (!versioned(model)) throw new Error(`${model} has no updatedAt: it cannot take expectedUpdatedAt`);
  if (row.updatedAt!.getTime() !== expected.getTime()) {
    throw conflict(
      `${model} was changed at ${row.updatedAt!.toISOString()}, after the expectedUpdatedAt given: read it again and retry`,
      'expectedUpdatedAt',
    );
  }
  return row;
}

/**
 * {@link lockForUpdate} for many rows of one model in one statement (bulk writes): locks them in id order (two bulk
 * calls over overlapping rows wait for each other instead of deadlocking) and answers, by id, null when locked, or
 * the error the single lock would have thrown (NOT_FOUND naming `field`, CONFLICT for a stale `expectedUpdatedAt`).
 */
export async function lockManyForUpdate(
  scope: CommandScope,
  model: LockableModel,
  items: readonly { id: string; expectedUpdatedAt?: Date | null }[],
  field = 'id',
): Promise<Map<string, Error | null>> {
  const hasVersion = versioned(model);
  const ids = [...new Set(items.map((item) => item.id))].sort();
  const rows = ids.length
    ? await queryRawIn<{ id: string; updatedAt: Date | null }>(
        scope.tx,
        `SELECT "id"::text AS "id", ${hasVersion ? '"updatedAt"' : 'NULL::timestamptz AS "updatedAt"'} FROM "${model}"
          WHERE "id" = ANY($1::uuid[]) AND ${workspaceFilter('"workspaceId"', '$2::uuid')} ORDER BY "id" FOR UPDATE`,
        ids,
        scope.session.workspaceId,
      )
    : [];
  const found = new Map(rows.map((row) => [row.id, row.updatedAt]));
  const outcome = new Map<string, Error | null>();
  for (const { id, expectedUpdatedAt } of items) {
    if (!found.has(id)) {
      outcome.set(id, notFound(model, field));
      continue;
    }
    const current = found.get(id)!;
    if (expectedUpdatedAt == null) outcome.set(id, outcome.get(id) ?? null);
    else if (!hasVersion) throw new Error(`${model} has no updatedAt: it cannot take expectedUpdatedAt`);
    else if (current!.getTime() !== expectedUpdatedAt.getTime()) {
      outcome.set(id, conflict(`${model} was changed at ${current!.toISOString()}, after the expectedUpdatedAt given: read it again and retry`, 'expectedUpdatedAt'));
    } else outcome.set(id, outcome.get(id) ?? null);
  }
  return outcome;
}
