// `rows`: writes of a plugin's own models as one SQL statement, for bookkeeping paid per batch (a queue's claimed
// items, a subscriber's events): inserts and updates of several models and many rows go to the database in a single
// round trip, without Prisma's query compiler. Only the plugin's own models are written (the core's rows change
// through `commands`), and only in the workspace: inserted rows get its `workspaceId` whatever the caller passed, and
// updates match rows of the workspace only. Values travel as one JSON document per write and are read back into the
// table's own row type (`jsonb_populate_recordset(NULL::"Table", …)`), so every column keeps its type (uuid,
// timestamptz, enums, jsonb) without casts written here; column names are checked against the model.
import type { EventCause } from '@crm/core';
import { CommandTransaction, getDatamodel, queryRawIn, underlyingTransaction, workspaceFilter } from '@crm/db';
import { declaredModels } from './host/fragment-models.js';
import { buildKeyRename, type OwnKeyRename } from './own-key-renames.js';
import { attributedTo, PluginSqlError, type RawQueryRunner } from './plugin-sql.js';

/** A row's values by field name; `undefined` leaves the column out of the row (written NULL when other rows set it). */
export type OwnRow = Readonly<Record<string, unknown>>;

/** A row's id: a string (a uuid, text), or a number for an int id. The ids answered are text. */
export type OwnId = string | number;

/** Rows to insert (ids given by the caller: Prisma's `uuid(7)` default is the client's, not the database's). */
export interface OwnInsert {
  insert: string;
  rows: readonly (OwnRow & { id: OwnId })[];
  /** `ON CONFLICT DO NOTHING`: a row a unique key already has is left out (and not among the ids returned). */
  skipDuplicates?: boolean;
  /**
   * Inserts only the rows whose `column` names a row inserted by the earlier write at index `write` of the same call
   * (a run's first step, only for the runs that were not duplicates).
   */
  onlyFor?: { column: string; write: number };
  /**
   * The rows begin a new causal chain: a model with `causedBy` and `chainDepth` columns (a queue's) is not given the
   * handler's chain (`QueueDefinition`, "Causal chains"). For work that is the start of its own chains (the workflows
   * plugin's steps). Rows that set `causedBy` themselves keep it either way.
   */
  newChain?: boolean;
}

/** Rows to update by id: every row sets the same columns (the first row's); a row missing one sets it NULL. */
export interface OwnUpdate {
  update: string;
  rows: readonly (OwnRow & { id: OwnId })[];
  /**
   * JSON columns whose given keys are merged into the stored object (`stored || given`), the others it holds kept: a
   * write that changes one key does not put back what a concurrent transaction changed in another (the row's lock
   * orders the two, and the later one merges into what the earlier committed). A row leaving the column out (or null)
   * keeps what is stored; a stored value that is not an object counts as `{}`; a given one that is not is refused.
   */
  merge?: readonly string[];
  /**
   * What a row must still hold to be updated: a column → its value (`null`: NULL), or `{ not: null }`. Checked in the
   * UPDATE itself, so on the row as committed: under READ COMMITTED PostgreSQL re-checks an UPDATE's WHERE on a row a
   * concurrent transaction changed meanwhile, where a check of what was read before would pass on a stale row. A row
   * that no longer holds it is left alone (and not among the ids returned).
   */
  onlyIf?: Readonly<Record<string, OwnCondition>>;
  /**
   * A compare-and-set on merged JSON columns: column → keys each row gives in it (merged back unchanged) that the stored
   * object must still hold with the same values (a key left out or null: absent or null there). Checked in the UPDATE,
   * as `onlyIf` is: a row a concurrent transaction changed there is left alone (and not among the ids returned), so a
   * write judged on what was read does not land on what another wrote since.
   */
  unchanged?: Readonly<Record<string, readonly string[]>>;
}

/** A stored column's value an update requires (`OwnUpdate.onlyIf`). */
export type OwnCondition = string | number | boolean | null | { readonly not: null };

export type OwnWrite = OwnInsert | OwnUpdate;

export interface OwnRows {
  /**
   * All `writes` in one statement (data-modifying common table expressions). They see the same snapshot: one call
   * must not write a row twice (merge its changes first). Resolves with each write's affected ids, in order.
   */
  write(writes: readonly OwnWrite[]): Promise<string[][]>;
  /**
   * The same statement, for the transaction's last write when its ids are not needed: sent with the COMMIT, in the
   * same round trip (PostgreSQL, in a command's transaction); its failure fails the COMMIT, so nothing of the
   * transaction is kept. Written now where the COMMIT cannot carry it (PGlite, or another write rides with it). The
   * transaction's later statements do not see its rows.
   */
  writeAtCommit(writes: readonly OwnWrite[]): Promise<void>;
  /** Keys of a JSON column renamed in every row of the workspace holding them, in one statement (own-key-renames.ts). Resolves with the rows changed. */
  renameKeys(rename: OwnKeyRename): Promise<number>;
}

interface ModelColumns {
  table: string;
  columns: ReadonlySet<string>;
  /** The JSON columns (`Json` in the datamodel): the only ones an update may `merge`. */
  json: ReadonlySet<string>;
}

/** A plugin's own models by name: the table each maps to and its columns. */
export type OwnModels = ReadonlyMap<string, ModelColumns>;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Rows given as one JSON document (`param`, a parameter), read as rows of `table` (quoted): every column keeps its type. */
const rowsOfTable = (table: string, param: string) => `jsonb_populate_recordset(NULL::${table}, ${param}::jsonb)`;

/**
 * The ids of rows given as one JSON document (`param`: `[{ "id": … }, …]`) as an array of `table`'s (quoted) own id type,
 * for `id = ANY(…)`: rows are found by their key whatever the id's type (uuid, text, int; an int as a number or its
 * text), where a comparison as text (`id::text = …`) would read the whole table.
 */
export const idsOfTable = (table: string, param: string) => `ARRAY(SELECT k.id FROM ${rowsOfTable(table, param)} AS k)`;

/** The plugin's own models (its fragment's), with the table each maps to and its columns. */
export function ownModels(pluginPrisma: string | null): OwnModels {
  const models = getDatamodel().datamodel.models as Partial<Record<string, { fields: readonly { name: string; kind: string; type: string }[] }>>;
  const own = new Map<string, ModelColumns>();
  for (const { name, table } of pluginPrisma ? declaredModels(pluginPrisma) : []) {
    const fields = models[name]?.fields;
    if (!fields) continue;
    own.set(name, {
      table,
      columns: new Set(fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum').map((f) => f.name)),
      json: new Set(fields.filter((f) => f.kind === 'scalar' && f.type === 'Json').map((f) => f.name)),
    });
  }
  return own;
}

/** The columns the rows set, checked against the model. */
function columnsOf(model: string, found: ModelColumns, rows: readonly OwnRow[], first: boolean): string[] {
  const names = new Set<string>();
  for (const row of first ? rows.slice(0, 1) : rows) for (const [key, value] of Object.entries(row)) if (value !== undefined) names.add(key);
  for (const name of names) if (!found.columns.has(name)) throw new PluginSqlError(`rows: ${model} has no column "${name}"`);
  return [...names];
}

/** `merge` of `name`: a JSON column the update sets, given an object (or left out) by every row. */
function checkMerged(model: string, found: ModelColumns, rows: OwnUpdate['rows'], columns: readonly string[], name: string) {
  if (!columns.includes(name)) throw new PluginSqlError(`rows: an update of ${model} merges "${name}", a column it does not set`);
  if (!found.json.has(name)) throw new PluginSqlError(`rows: an update of ${model} merges "${name}", which is not a JSON column`);
  for (const row of rows) {
    const value = row[name];
    if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw new PluginSqlError(`rows: an update of ${model} merges "${name}": row ${String(row.id)} gives ${Array.isArray(value) ? 'an array' : typeof value}, not an object`);
    }
  }
}

/**
 * The conditions of `onlyIf` on the stored row (`t`), their values read as the table's own row type (one JSON document,
 * a parameter pushed on `params`) so each compares with its column's type.
 */
function onlyIf(model: string, found: ModelColumns, conditions: OwnUpdate['onlyIf'], params: unknown[]): string {
  const entries = Object.entries(conditions ?? {});
  if (!entries.length) return '';
  const values: Record<string, unknown> = {};
  const parts = entries.map(([name, condition]) => {
    if (!found.columns.has(name)) throw new PluginSqlError(`rows: ${model} has no column "${name}"`);
    if (condition === null) return `t.${quote(name)} IS NULL`;
    if (typeof condition === 'object') {
      if (condition.not !== null || Object.keys(condition).length !== 1) throw new PluginSqlError(`rows: onlyIf "${name}" takes a value, null or { not: null }`);
      return `t.${quote(name)} IS NOT NULL`;
    }
    values[name] = condition;
    return `t.${quote(name)} = (SELECT o.${quote(name)} FROM ${rowsOfTable(quote(found.table), `$${params.length + 1}`)} AS o)`;
  });
  if (Object.keys(values).length) params.push(JSON.stringify([values]));
  return parts.map((part) => ` AND ${part}`).join('');
}

/** `unchanged`: each key of a merged column as the row gives it (`v`) still the stored one (`t`); a row leaving the column out is not checked. */
function unchangedKeys(model: string, unchanged: OwnUpdate['unchanged'], merged: ReadonlySet<string>): string {
  return Object.entries(unchanged ?? {})
    .flatMap(([column, keys]) => {
      if (!merged.has(column)) throw new PluginSqlError(`rows: an update of ${model} compares "${column}", a column it does not merge`);
      const c = quote(column);
      return keys.map((key) => {
        const k = `'${key.replaceAll("'", "''")}'`;
        return ` AND (v.${c} IS NULL OR coalesce(t.${c} -> ${k}, 'null'::jsonb) = coalesce(v.${c} -> ${k}, 'null'::jsonb))`;
      });
    })
    .join('');
}

/** The columns a model stores a causal chain in (a queue's: its items continue the chain they were queued in). */
export const CHAIN_COLUMNS = ['causedBy', 'chainDepth'] as const;
export const hasChainColumns = (found: ModelColumns) => CHAIN_COLUMNS.every((column) => found.columns.has(column));

/**
 * Inserted rows with the chain of the handler that writes them (`chain`: the one its queued work continues), when their
 * model stores one and the insert does not begin a new chain. In the same statement: a chain costs no write of its own.
 */
function chained(write: OwnInsert, found: ModelColumns, chain: EventCause | null): OwnInsert['rows'] {
  if (!chain || write.newChain || !hasChainColumns(found)) return write.rows;
  return write.rows.map((row) => (row.causedBy === undefined ? { ...row, causedBy: chain.causedBy, chainDepth: chain.chainDepth } : row));
}

/**
 * The statement for `writes`: `$1` is the workspace, then one JSON document per write. `chain`: what the rows of a
 * model that stores one carry (see {@link chained}).
 */
export function buildOwnWrite(writes: readonly OwnWrite[], workspaceId: string, own: OwnModels, chain: EventCause | null = null) {
  const params: unknown[] = [workspaceId];
  const parts = writes.map((write, index) => {
    const model = 'insert' in write ? write.insert : write.update;
    const found = own.get(model);
    if (!found) throw new PluginSqlError(`rows: "${model}" is not one of this plugin's models (a plugin writes its own rows; the core's change through commands)`);
    const t = quote(found.table);
    const rows = 'insert' in write ? chained(write, found, chain) : write.rows;
    params.push(JSON.stringify(rows));
    const rowsParam = `$${params.length}`;
    const data = rowsOfTable(t, rowsParam);
    if ('insert' in write) {
      // The workspace is `$1`, whatever the rows say.
      const columns = columnsOf(model, found, rows, false).filter((c) => c !== 'workspaceId').map(quote);
      let where = '';
      if (write.onlyFor) {
        const { column, write: parent } = write.onlyFor;
        if (!found.columns.has(column)) throw new PluginSqlError(`rows: ${model} has no column "${column}"`);
        if (!(Number.isInteger(parent) && parent >= 0 && parent < index)) throw new PluginSqlError(`rows: write ${index} can only depend on an earlier write`);
        where = ` WHERE v.${quote(column)} IN (SELECT id FROM w${parent})`;
      }
      return `INSERT INTO ${t} (${[...columns, '"workspaceId"'].join(', ')}) SELECT ${[...columns.map((c) => `v.${c}`), '$1::uuid'].join(', ')} FROM ${data} AS v${where}${write.skipDuplicates ? ' ON CONFLICT DO NOTHING' : ''} RETURNING id`;
    }
    const columns = columnsOf(model, found, write.rows, true).filter((c) => c !== 'id' && c !== 'workspaceId');
    if (!columns.length) throw new PluginSqlError(`rows: an update of ${model} sets no column`);
    for (const name of write.merge ?? []) checkMerged(model, found, write.rows, columns, name);
    const merged = new Set(write.merge);
    // A row leaving a merged column out keeps what is stored (`|| NULL` would erase it); a stored non-object is `{}`.
    const mergedInto = (c: string) => `CASE WHEN v.${c} IS NULL THEN t.${c} ELSE (CASE WHEN jsonb_typeof(t.${c}) = 'object' THEN t.${c} ELSE '{}'::jsonb END) || v.${c} END`;
    const set = columns.map((c) => `${quote(c)} = ${merged.has(c) ? mergedInto(quote(c)) : `v.${quote(c)}`}`).join(', ');
    const only = onlyIf(model, found, write.onlyIf, params) + unchangedKeys(model, write.unchanged, merged);
    // The ids again as an array and the workspace as a filter: the rows are found by their key whatever the table's
    // statistics say (a join alone hashed the workspace's whole table on a fresh table, growing with it; a plain
    // workspace condition walked the workspace's entries of an index led by it: `workspaceFilter`).
    // The array is read from the rows themselves, so it has the id column's own type (a plugin's id need not be a uuid).
    return `UPDATE ${t} AS t SET ${set} FROM ${data} AS v WHERE t.id = ANY(${idsOfTable(t, rowsParam)}) AND t.id = v.id AND ${workspaceFilter('t."workspaceId"', '$1::uuid')}${only} RETURNING t.id`;
  });
  const expressions = parts.map((part, i) => `w${i} AS (${part})`).join(',\n  ');
  const results = parts.map((_, i) => `(SELECT coalesce(array_agg(id::text), '{}') FROM w${i}) AS w${i}`).join(', ');
  return { text: `WITH ${expressions}\nSELECT ${results}`, params };
}

/**
 * The command transactions whose `rows.writeAtCommit` was called: no `rows` write may follow it, on either database,
 * whichever plugin or view of the transaction (`underlyingTransaction`) makes it: the COMMIT carries one write.
 * Where it waits for the COMMIT (PostgreSQL) a later write would overtake it; where it was sent at once (PGlite) the
 * same code is refused all the same, so that a plugin tested on PGlite does not first fail on PostgreSQL.
 */
const committing = new WeakSet<object>();
/** Savepoints open in a transaction (savepoint.ts): a `writeAtCommit` made in one is sent at once, so a rollback to it undoes it. */
const savepoints = new WeakMap<object, number>();

/**
 * A savepoint of `runner` opens (savepoint.ts `inSavepoint`): until it is released or rolled back, a deferred write is
 * sent at once; rolled back, a `writeAtCommit` made in it no longer counts as the transaction's last write.
 */
export function ownRowsSavepoint(view: object): { release(): void; rollback(): void } {
  const runner = underlyingTransaction(view);
  const wasCommitting = committing.has(runner);
  savepoints.set(runner, (savepoints.get(runner) ?? 0) + 1);
  const leave = () => savepoints.set(runner, savepoints.get(runner)! - 1);
  return {
    release: leave,
    rollback: () => {
      leave();
      if (!wasCommitting) committing.delete(runner);
    },
  };
}

/**
 * The `rows` of a plugin's handler, in `runner` (its transaction) and `workspaceId`; `chain`: the causal chain its
 * queued work continues (a subscriber's or hook's event one hop further, a queue item's own), null outside one.
 */
export function createOwnRows(pluginId: string, runner: RawQueryRunner, workspaceId: string, own: () => OwnModels, chain: EventCause | null = null): OwnRows {
  // Its rules hold per transaction, through every view of it: an action called `as` a role writes in a narrowed one.
  const transaction = underlyingTransaction(runner);
  const rows: Pick<OwnRows, 'write' | 'writeAtCommit'> = {
    async write(writes) {
      if (!writes.some((write) => write.rows.length)) return writes.map(() => []);
      if (committing.has(transaction)) throw new PluginSqlError('rows.write after rows.writeAtCommit: writeAtCommit is the transaction\'s last write');
      const { text, params } = buildOwnWrite(writes, workspaceId, own(), chain);
      // On the transaction's own connection when it is a command's (not through Prisma's client: @crm/db queryRawIn).
      const [row] = await queryRawIn<Record<string, string[]>>(runner, text, ...params);
      return writes.map((_, i) => row?.[`w${i}`] ?? []);
    },
    async writeAtCommit(writes) {
      if (!writes.some((write) => write.rows.length)) return;
      if (committing.has(transaction)) throw new PluginSqlError('rows.writeAtCommit: once per transaction, as its last write');
      const { text, params } = buildOwnWrite(writes, workspaceId, own(), chain);
      // Marked as it is called (not once sent): a write called meanwhile without awaiting this one is refused too.
      if (CommandTransaction.isCommand(runner)) committing.add(transaction);
      if (!savepoints.get(transaction) && CommandTransaction.of(runner)?.writeWithCommit(text, params)) return;
      await queryRawIn(runner, text, ...params);
    },
  };
  return {
    write: (writes) => attributedTo(pluginId, () => rows.write(writes)),
    writeAtCommit: (writes) => attributedTo(pluginId, () => rows.writeAtCommit(writes)),
    renameKeys: (rename) =>
      attributedTo(pluginId, async () => {
        if (!rename.renames.size) return 0;
        if (committing.has(transaction)) throw new PluginSqlError("rows.renameKeys after rows.writeAtCommit: writeAtCommit is the transaction's last write");
        const { text, params } = buildKeyRename(rename, workspaceId, own());
        const [row] = await queryRawIn<{ n: number }>(runner, text, ...params);
        return row?.n ?? 0;
      }),
  };
}
