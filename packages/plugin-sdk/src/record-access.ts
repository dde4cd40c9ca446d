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
  parseFilter,
  prismaWhere,
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
  /** Validates a filter of `object` in the list filter language; BAD_USER_INPUT with `extensions.field` under `path`. */
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
   * continues after it. One statement: for selections ("run on these records") and scans of a date field.
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

/** The declared fields of a row, by their declared names. */
function recordJson(object: ResolvedObject, row: Record<string, unknown>): RecordJson {
  const out: RecordJson = {};
  for (const field of object.fields.values()) out[field.name] = jsonValue(row[field.column]);
  return out;
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
  const catalog = new ObjectCatalog([...coreObjects, ...objects]);
  const filterContext = coreFilterContext(catalog);
  const objectOf = (name: string) => catalog.get(name);
  const where = (model: string, id: string, trashed: boolean) => (trashed && isTrashable(model) ? { id, ...includingTrashed } : { id });

  const access: RecordAccess = {
    catalog,
    parseFilter: (object, raw, path) => parseFilter(objectOf(object), raw, filterContext, path),
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
      const and: unknown[] = [];
      if (options.filter) and.push(prismaWhere(options.filter));
      if (options.ids) and.push({ id: { in: [...options.ids] } });
      let orderBy: unknown = [{ id: 'asc' }];
      if (options.range) {
        const field = object.fields.get(options.range.field);
        if (!field) throw new Error(`${name} has no field ${options.range.field}`);
        const { after, until, cursor } = options.range;
        and.push({ [field.column]: { not: null, ...(after ? { gt: after } : {}), ...(until ? { lte: until } : {}) } });
        if (cursor) and.push({ OR: [{ [field.column]: { gt: cursor.value } }, { [field.column]: cursor.value, id: { gt: cursor.id } }] });
        orderBy = [{ [field.column]: 'asc' }, { id: 'asc' }];
      }
      const columns = (options.fields ?? []).map((f) => {
        const field = object.fields.get(f);
        if (!field) throw new Error(`${name} has no field ${f}`);
        return field;
      });
      const select = Object.fromEntries([['id', true], ...columns.map((field) => [field.column, true])]);
      const rows = await delegate(db, object.model).findMany({ where: and.length ? { AND: and } : {}, orderBy, take: options.limit, select });
      return rows.map((row) => {
        const out: RecordJson = { id: row.id };
        for (const field of columns) out[field.name] = jsonValue(row[field.column]);
        return out;
      });
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
