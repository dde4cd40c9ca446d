// Records of any declared object (core's and the enabled plugins'), as plugin code reads them: the object catalog,
// the filter language (core's parser and Prisma compiler, the same that lists and segments use), a record by id as
// JSON, and which record change an event stands for. Automation-style plugins (workflows) need exactly this and
// nothing of the core's internals.
import {
  badInput,
  type CommandScope,
  type FilterNode,
  formatMoney,
  ObjectCatalog,
  type ObjectDeclaration,
  type ResolvedObject,
  coreFilterContext,
  coreObjects,
  customValueSql,
  loadWorkspaceDefinitions,
  parseFilter,
  prismaWhere,
  type ResolvedField,
  workspaceDeclarations,
  type WorkspaceDefinitions,
  writerOf,
} from '@crm/core';
import { includingTrashed, isTrashable, Prisma } from '@crm/db';

/** A JSON value as records are handed to plugins: money as "12.50", times as ISO-8601, ids as row ids. */
export type RecordJson = Record<string, unknown>;

/** What kind of change an event is, for the record it is about. */
export interface RecordChange {
  /** The declared object the event's subject is. */
  object: string;
  change: 'created' | 'updated' | 'deleted';
  /** For `updated`: each changed field's old and new value (the event's `changes`). */
  changes: Record<string, { from: unknown; to: unknown }> | null;
}

/** Anything with the model delegates of the (workspace-scoped) Prisma client: `tx`, `db`. */
type Reader = object;

export interface RecordAccess {
  /** Every declared object: core's and the enabled plugins'. */
  readonly catalog: ObjectCatalog;
  /**
   * This access with one workspace's own definitions: its custom fields on the objects they extend (values in the
   * `customFields` JSON) and its custom objects. Two statements through `db`, a client scoped to `workspaceId`. Only
   * this access ranges `select` over a custom date field (its own SQL, narrowed to the workspace by hand).
   */
  inWorkspace(db: Reader, workspaceId: string): Promise<RecordAccess>;
  /**
   * Validates a filter of `object` in the list filter language, as `matches` and `select` can evaluate it (custom
   * fields' values are not: BAD_USER_INPUT); BAD_USER_INPUT with `extensions.field` under `path`.
   */
  parseFilter(object: string, raw: unknown, path: string): FilterNode;
  /**
   * Whether the record `id` of `object` matches `filter` now: one `count` through the given client (tenancy and the
   * trash included; `trashed: true` tests a record in the trash too). This is the one evaluator of conditions.
   */
  matches(db: Reader, object: string, id: string, filter: FilterNode, options?: { trashed?: boolean }): Promise<boolean>;
  /**
   * The record's declared fields as JSON (null when it is not in the workspace), with the to-one relations named in
   * `relations` read too (`{ customer: { ownerId, … } }`). `trashed: true` also reaches a record in the trash (a
   * deleted record's last state).
   */
  read(db: Reader, object: string, id: string, options?: { relations?: readonly string[]; trashed?: boolean }): Promise<RecordJson | null>;
  /**
   * `read` for many records at once: one statement for the records and one per relation, whatever their number. The
   * map holds the records found (by id); ids not in the workspace are absent.
   */
  readMany(db: Reader, object: string, ids: readonly string[], options?: { relations?: readonly string[]; trashed?: boolean }): Promise<Map<string, RecordJson>>;
  /**
   * The records that match `filter` (all when absent) and, with `range`, whose date field `range.field` lies in
   * `(after, until]`; ordered by that field and id (else by id), at most `limit`. Each as `{ id, <fields…> }` with
   * the named declared fields. `range.cursor` (the last record of the previous page: its id and the field's value)
   * continues after it. One statement: for selections ("run on these records") and scans of a date field. A custom
   * date field (through `inWorkspace`'s access) is ranged over by its own SQL, the read engine's expression for the
   * field (its expression index serves it); with a `filter`, a second statement per page keeps the matching ones.
   */
  select(
    db: Reader,
    object: string,
    options: {
      filter?: FilterNode;
      ids?: readonly string[];
      range?: { field: string; after?: Date; until?: Date; cursor?: { id: string; value: Date } | null };
      fields?: readonly string[];
      limit: number;
    },
  ): Promise<RecordJson[]>;
  /**
   * Which record change an event stands for, or null when its subject is not a declared object. One rule for every
   * object, plugins' included: `<x>.created|opened|logged|recorded` create, `<x>.trashed|destroyed|deleted` delete,
   * and any event carrying `changes` (`FieldChanges`) or named `<x>.updated` updates.
   */
  changeOf(event: { type: string; subjectType: string; payload: unknown }): RecordChange | null;
  /** Whether `create` can make records of the object (it has a writer: core's commands, a plugin object's `writer`). */
  creatable(object: string): boolean;
}

/** Records written in a running transaction (subscribers, jobs, queues): through each object's own command. */
export interface RecordWrites {
  /**
   * Creates a record of `object` from its fields declared `write` — a task, a deal, a ticket, a plugin's object with
   * a `writer` — through the object's own command in this transaction: its validation (BAD_USER_INPUT with the field),
   * references, role checks and events. BAD_USER_INPUT when the object cannot be created this way.
   */
  create(object: string, input: Record<string, unknown>): Promise<{ id: string }>;
}

/** `RecordAccess` with writes bound to a transaction: what subscriber, job and queue contexts carry as `objects`. */
export type RecordObjects = RecordAccess & RecordWrites;

/** Writes of `access`'s objects in the transaction of `scope` (the host's raw scope: the writer emits its own events). */
export function recordWrites(access: RecordAccess, scope: Pick<CommandScope, 'tx' | 'emit' | 'session'>): RecordWrites {
  return {
    async create(object, input) {
      const writer = access.catalog.has(object) ? writerOf(access.catalog.get(object)) : null;
      if (!writer?.create) throw badInput(`object: records of ${object} cannot be created here`, 'object');
      return writer.create({ ...scope, personalData: [] }, input);
    },
  };
}

const CREATED = new Set(['created', 'opened', 'logged', 'recorded', 'responded']);
const DELETED = new Set(['trashed', 'destroyed', 'deleted']);

const delegateName = (model: string) => model[0]!.toLowerCase() + model.slice(1);

function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Prisma.Decimal) return formatMoney(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/** A field's value in a row: its column, or its key in the JSON column (custom fields). */
function valueOf(field: ResolvedField, row: Record<string, unknown>): unknown {
  if (!field.stored) return row[field.column];
  const json = row[field.stored.json];
  return json && typeof json === 'object' ? (json as Record<string, unknown>)[field.stored.key] : null;
}

/** The declared fields of a row, by their declared names. */
function recordJson(object: ResolvedObject, row: Record<string, unknown>): RecordJson {
  const out: RecordJson = {};
  for (const field of object.fields.values()) out[field.name] = jsonValue(valueOf(field, row));
  return out;
}

/** A time as a custom date field's stored text compares with it: `YYYY-MM-DD` (a date: its UTC day), or the ISO instant. */
const storedTime = (field: ResolvedField, time: Date) => (field.kind === 'date' ? time.toISOString().slice(0, 10) : time.toISOString());

interface RawReader {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

function delegate(db: Reader, model: string) {
  const found = (db as Record<string, unknown>)[delegateName(model)] as
    | {
        findFirst(args: unknown): Promise<Record<string, unknown> | null>;
        findMany(args: unknown): Promise<Record<string, unknown>[]>;
        count(args: unknown): Promise<number>;
      }
    | undefined;
  if (!found) throw new Error(`The client has no model ${model}`);
  return found;
}

/** Record access over core's objects and `objects` (the enabled plugins' declarations). */
export function createRecordAccess(objects: readonly ObjectDeclaration[]): RecordAccess {
  return accessOver([...coreObjects, ...objects], null);
}

/**
 * A custom date field's records in `(after, until]` after `cursor`, ordered by the value and id: the rows of
 * `object` in `workspaceId` (and of the object, in a shared table), out of the trash.
 */
async function customDateRange(
  db: RawReader,
  workspaceId: string,
  object: ResolvedObject,
  field: ResolvedField,
  range: { after?: Date; until?: Date; cursor?: { id: string; value: Date } | null },
  limit: number,
): Promise<{ id: string; value: string }[]> {
  const value = customValueSql(field.kind, field.stored!.key);
  const params: unknown[] = [workspaceId];
  const bind = (v: unknown, cast = '') => `$${params.push(v)}${cast}`;
  const where = [`"workspaceId" = $1::uuid`, `${value} IS NOT NULL`];
  if (object.sharedTable) where.push(`"${object.sharedTable.column}" = ${bind(object.sharedTable.value, '::uuid')}`);
  if (isTrashable(object.model)) where.push(`"deletedAt" IS NULL`);
  if (range.after) where.push(`${value} > ${bind(storedTime(field, range.after))}`);
  if (range.until) where.push(`${value} <= ${bind(storedTime(field, range.until))}`);
  if (range.cursor) {
    const at = bind(storedTime(field, range.cursor.value));
    where.push(`(${value} > ${at} OR (${value} = ${at} AND "id" > ${bind(range.cursor.id, '::uuid')}))`);
  }
  return db.$queryRawUnsafe<{ id: string; value: string }[]>(
    `SELECT "id"::text AS "id", ${value} AS "value" FROM "${object.model}" WHERE ${where.join(' AND ')} ORDER BY ${value}, "id" LIMIT ${bind(limit, '::int')}`,
    ...params,
  );
}

/** Access over the built-in declarations `base`, with one workspace's definitions added when given. */
function accessOver(base: readonly ObjectDeclaration[], workspace: { id: string; definitions: WorkspaceDefinitions } | null): RecordAccess {
  const catalog = new ObjectCatalog(workspace ? workspaceDeclarations(base, workspace.definitions) : base);
  const filterContext = coreFilterContext(catalog);
  const objectOf = (name: string) => catalog.get(name);
  const where = (model: string, id: string, trashed: boolean) => (trashed && isTrashable(model) ? { id, ...includingTrashed } : { id });

  const access: RecordAccess = {
    catalog,
    inWorkspace: async (db, workspaceId) =>
      accessOver(base, { id: workspaceId, definitions: await loadWorkspaceDefinitions(db as Parameters<typeof loadWorkspaceDefinitions>[0], workspaceId) }),
    parseFilter(object, raw, path) {
      const filter = parseFilter(objectOf(object), raw, filterContext, path);
      try {
        prismaWhere(filter);
      } catch (error) {
        // A custom field's value: only the read engine compares those (typed, in JSON).
        throw badInput(`${path}: ${error instanceof Error ? error.message.split(':')[0] : 'not evaluable'}: a condition cannot test a custom field yet`, path);
      }
      return filter;
    },
    async matches(db, object, id, filter, options = {}) {
      const model = objectOf(object).model;
      return (await delegate(db, model).count({ where: { ...where(model, id, options.trashed ?? false), AND: [prismaWhere(filter)] } })) > 0;
    },
    async read(db, name, id, options = {}) {
      return (await access.readMany(db, name, [id], options)).get(id) ?? null;
    },
    async readMany(db, name, ids, options = {}) {
      const object = objectOf(name);
      const trashed = options.trashed ?? false;
      const found = new Map<string, RecordJson>();
      if (!ids.length) return found;
      const idWhere = ids.length === 1 ? { id: ids[0] } : { id: { in: [...ids] } };
      const rows = await delegate(db, object.model).findMany({ where: trashed && isTrashable(object.model) ? { ...idWhere, ...includingTrashed } : idWhere });
      for (const row of rows) found.set(String(row.id), recordJson(object, row));
      // Each to-one relation: one statement for the related rows of every record.
      for (const relationName of options.relations ?? []) {
        const relation = object.relations.get(relationName);
        if (!relation || relation.kind !== 'toOne' || relation.keyOnTarget) continue;
        const column = object.fields.get(relation.key)?.column ?? relation.key;
        const keys = [...new Set(rows.map((row) => row[column]).filter((key): key is string => typeof key === 'string'))];
        const target = catalog.target(relation);
        const related = keys.length ? await delegate(db, target.model).findMany({ where: { id: { in: keys } } }) : [];
        const byId = new Map(related.map((row) => [String(row.id), recordJson(target, row)]));
        for (const row of rows) {
          const key = row[column];
          found.get(String(row.id))![relationName] = typeof key === 'string' ? (byId.get(key) ?? null) : null;
        }
      }
      return found;
    },
    async select(db, name, options) {
      const object = objectOf(name);
      const columns = (options.fields ?? []).map((f) => {
        const field = object.fields.get(f);
        if (!field) throw new Error(`${name} has no field ${f}`);
        return field;
      });
      const shape = (row: Record<string, unknown>) => {
        const out: RecordJson = { id: row.id };
        for (const field of columns) out[field.name] = jsonValue(valueOf(field, row));
        return out;
      };
      const and: unknown[] = [];
      if (options.filter) and.push(prismaWhere(options.filter));
      if (options.ids) and.push({ id: { in: [...options.ids] } });
      if (object.sharedTable) and.push({ [object.sharedTable.column]: object.sharedTable.value });
      const select = Object.fromEntries([['id', true], ...columns.map((field) => [field.stored?.json ?? field.column, true])]);
      const rangeField = options.range ? object.fields.get(options.range.field) : undefined;
      if (options.range && !rangeField) throw new Error(`${name} has no field ${options.range.field}`);
      if (options.range && rangeField?.stored) {
        if (!workspace) throw new Error(`${name}.${rangeField.name} is a custom field: select through objects.inWorkspace`);
        return customDateSelect(rangeField, options.range);
      }
      let orderBy: unknown = [{ id: 'asc' }];
      if (options.range && rangeField) {
        const column = rangeField.column;
        const { after, until, cursor } = options.range;
        and.push({ [column]: { not: null, ...(after ? { gt: after } : {}), ...(until ? { lte: until } : {}) } });
        if (cursor) and.push({ OR: [{ [column]: { gt: cursor.value } }, { [column]: cursor.value, id: { gt: cursor.id } }] });
        orderBy = [{ [column]: 'asc' }, { id: 'asc' }];
      }
      const rows = await delegate(db, object.model).findMany({ where: and.length ? { AND: and } : {}, orderBy, take: options.limit, select });
      return rows.map(shape);

      /**
       * Pages of the range in the field's order; with a filter or ids, each page's records that match (one more
       * statement), until `limit` match or the range ends: the last record returned is a true cursor.
       */
      async function customDateSelect(field: ResolvedField, range: NonNullable<typeof options.range>): Promise<RecordJson[]> {
        const found: RecordJson[] = [];
        let cursor = range.cursor ?? null;
        for (;;) {
          const want = options.limit - found.length;
          const page = await customDateRange(db as RawReader, workspace!.id, object, field, { ...range, cursor }, want);
          if (!page.length) return found;
          const rows = await delegate(db, object.model).findMany({ where: { AND: [...and, { id: { in: page.map((r) => r.id) } }] }, select });
          const byId = new Map(rows.map((row) => [String(row.id), row]));
          for (const { id } of page) {
            const row = byId.get(id);
            if (row) found.push(shape(row));
          }
          if (found.length >= options.limit || page.length < want) return found;
          const last = page.at(-1)!;
          cursor = { id: last.id, value: new Date(last.value) };
        }
      }
    },
    changeOf(event) {
      if (!catalog.has(event.subjectType)) return null;
      const action = event.type.slice(event.type.indexOf('.') + 1);
      const payload = event.payload as { changes?: unknown } | null;
      const changes = payload && typeof payload.changes === 'object' && payload.changes !== null ? (payload.changes as RecordChange['changes']) : null;
      if (CREATED.has(action)) return { object: event.subjectType, change: 'created', changes: null };
      if (DELETED.has(action)) return { object: event.subjectType, change: 'deleted', changes: null };
      if (changes || action === 'updated') return { object: event.subjectType, change: 'updated', changes: changes ?? {} };
      return null;
    },
    creatable: (object) => catalog.has(object) && Boolean(writerOf(catalog.get(object))?.create),
  };
  return access;
}
