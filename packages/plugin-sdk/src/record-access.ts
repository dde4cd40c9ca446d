// Records of any declared object (core's and the enabled plugins'), as plugin code reads them: the object catalog,
// the filter language (core's parser and Prisma compiler, the same that lists and segments use), a record by id as
// JSON, and which record change an event stands for. Automation-style plugins (workflows) need exactly this and
// nothing of the core's internals.
import {
  badInput,
  type FilterNode,
  formatMoney,
  ObjectCatalog,
  type ObjectDeclaration,
  type Permissions,
  type ResolvedObject,
  coreFilterContext,
  coreObjects,
  loadWorkspaceDefinitions,
  matchingAsIfSql,
  matchingRecordsSql,
  parseFilter,
  prismaWhere,
  type ResolvedField,
  workspaceDeclarations,
  type WorkspaceDefinitions,
  writerOf,
} from '@crm/core';
import { includingTrashed, isTrashable, Prisma } from '@crm/db';
import { columnRange, customDateRange, type RawReader } from './record-date-range.js';
import { valueChecks } from './record-value-checks.js';
import { fieldToWrite, requireWriteAction, type WriteAction } from './writable-fields.js';

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
   * `customFields` JSON) and its custom objects. Two statements through `db`, a client scoped to `workspaceId`. This
   * access evaluates filters (`matches`, `select`) with the read engine's SQL compiler, the one the lists use, so they
   * may test custom fields and follow relation fields; it also ranges `select` over a custom date field.
   */
  inWorkspace(db: Reader, workspaceId: string): Promise<RecordAccess>;
  /**
   * Validates a filter of `object` in the list filter language, as `matches` and `select` can evaluate it;
   * BAD_USER_INPUT with `extensions.field` under `path`.
   */
  parseFilter(object: string, raw: unknown, path: string): FilterNode;
  /**
   * Whether the record `id` of `object` matches `filter` now: one statement through the given client (tenancy and
   * the trash included; `trashed: true` tests a record in the trash too). This is the one evaluator of conditions:
   * core's Prisma compiler over the declared objects, the read engine's SQL compiler with a workspace's definitions
   * (`inWorkspace`); the two are held equal by the differential tests.
   */
  matches(db: Reader, object: string, id: string, filter: FilterNode, options?: { trashed?: boolean }): Promise<boolean>;
  /**
   * Whether the record `id` of `object` would match each of `filters` with `values` (by field name, as events carry
   * them: a change's `from` side, a sample) in place of its own: one statement for all the filters, nothing written —
   * the read engine's SQL compiler over the row rebuilt with the values (core's `matchingAsIfSql`). Raw SQL, so
   * `workspaceId` is the client's workspace. A record not in it (or trashed, unless `trashed`) matches none.
   */
  matchesAsIf(
    db: Reader,
    object: string,
    id: string,
    filters: readonly FilterNode[],
    options: { workspaceId: string; values: Readonly<Record<string, unknown>>; trashed?: boolean },
  ): Promise<boolean[]>;
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
  /** Whether records of `object` can be created or changed through `objects.create` / `objects.update` (a writer that does it). */
  writable(object: string, action: WriteAction): boolean;
  /**
   * The field of `object` that a written value named `name` sets (a declared field, a custom field, a custom relation
   * by its name): BAD_USER_INPUT naming `at` when `action` may not set it, and with `permissions` (a role's) FORBIDDEN
   * when that role may not write it. For checking writes ahead (a workflow's definition when published).
   */
  writableField(object: string, name: string, action: WriteAction, at: string, permissions?: Permissions | null): ResolvedField;
  /**
   * FORBIDDEN naming `at` unless `permissions` (a role's) may `action` records of `object`: its grant and, for a plugin
   * object, its writer's plugin permission. For checking writes ahead, as `writableField`.
   */
  requireWriteAction(object: string, action: WriteAction, at: string, permissions: Permissions): void;
  /**
   * BAD_USER_INPUT naming `at` when the writer would refuse `value` for the custom field `name` of `object` (by its
   * definition: its type, options, bounds; core's `storedValue`, the rule the write applies). Other fields are their
   * writer's to judge when it runs. For checking writes ahead (a workflow's values at publish); through `inWorkspace`.
   */
  checkCustomValue(object: string, name: string, value: unknown, at: string): void;
  /**
   * BAD_USER_INPUT naming `at` when the writer of `object` would refuse `value` for the field `name` on `action`, by
   * the rule it applies: a declared field's by its writer's input schema (`ObjectWriter.inputs`: core's commands'
   * `createTaskInput`, `updateCustomerInput`…; a writer without one is judged when it runs), a custom field's by its
   * definition (`checkCustomValue`; null or nothing for a required one refused as the write refuses it). The value
   * as the writer takes it (a date-and-time a Date). For checking writes ahead; through `inWorkspace` for custom fields.
   */
  checkValue(object: string, name: string, value: unknown, action: WriteAction, at: string): void;
}

const CREATED = new Set(['created', 'opened', 'logged', 'recorded', 'responded']);
const DELETED = new Set(['trashed', 'destroyed', 'deleted']);

/**
 * The change of its subject record an event of `type` is, by its action (`deal.created`, `ticket.opened`: created;
 * `trashed`, `destroyed`, `deleted`: deleted), else an update when it is `<object>.updated` or carries `changes`
 * (`deal.stage_changed`); null: none. The one rule of `changeOf`, for code that knows only the type (and whether its
 * declared payload has `changes`): a workflow's record trigger, typing its event's payload.
 */
export function recordChangeKind(type: string, carriesChanges: boolean): RecordChange['change'] | null {
  const action = type.slice(type.indexOf('.') + 1);
  if (CREATED.has(action)) return 'created';
  if (DELETED.has(action)) return 'deleted';
  return carriesChanges || action === 'updated' ? 'updated' : null;
}

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

/** Access over the built-in declarations `base`, with one workspace's definitions added when given. */
function accessOver(base: readonly ObjectDeclaration[], workspace: { id: string; definitions: WorkspaceDefinitions } | null): RecordAccess {
  const catalog = new ObjectCatalog(workspace ? workspaceDeclarations(base, workspace.definitions) : base);
  const filterContext = coreFilterContext(catalog);
  const objectOf = (name: string) => catalog.get(name);
  const where = (model: string, id: string, trashed: boolean) => (trashed && isTrashable(model) ? { id, ...includingTrashed } : { id });
  /** With the workspace's definitions: the records matching `filter`, by the read engine's SQL compiler. */
  const matchingIds = async (db: Reader, name: string, filter: FilterNode, options: { ids?: readonly string[]; trashed?: boolean; limit?: number }) => {
    const { text, values } = matchingRecordsSql(catalog, objectOf(name), filter, { workspaceId: workspace!.id, ...options });
    return (await (db as RawReader).$queryRawUnsafe<{ id: string }[]>(text, ...values)).map((row) => row.id);
  };
  /** A custom object's rows are its own in the table custom objects share. */
  const ownRows = (object: ResolvedObject) => (object.sharedTable ? { [object.sharedTable.column]: object.sharedTable.value } : {});

  const access: RecordAccess = {
    catalog,
    inWorkspace: async (db, workspaceId) =>
      accessOver(base, { id: workspaceId, definitions: await loadWorkspaceDefinitions(db as Parameters<typeof loadWorkspaceDefinitions>[0], workspaceId) }),
    parseFilter(object, raw, path) {
      const filter = parseFilter(objectOf(object), raw, filterContext, path);
      if (workspace) return filter; // compiled to SQL by the read engine's compiler, custom fields included
      try {
        prismaWhere(filter);
      } catch (error) {
        // A custom field's value: only the read engine compares those (typed, in JSON), through `inWorkspace`.
        throw badInput(`${path}: ${error instanceof Error ? error.message.split(':')[0] : 'not evaluable'}: test custom fields through objects.inWorkspace`, path);
      }
      return filter;
    },
    async matches(db, object, id, filter, options = {}) {
      if (workspace) return (await matchingIds(db, object, filter, { ids: [id], trashed: options.trashed })).length > 0;
      const model = objectOf(object).model;
      return (await delegate(db, model).count({ where: { ...where(model, id, options.trashed ?? false), AND: [prismaWhere(filter)] } })) > 0;
    },
    async matchesAsIf(db, object, id, filters, options) {
      if (workspace && workspace.id !== options.workspaceId) throw new Error(`matchesAsIf: this access is of workspace ${workspace.id}, not ${options.workspaceId}`);
      if (!filters.length) return [];
      const { text, values } = matchingAsIfSql(catalog, objectOf(object), filters, { ...options, id });
      const [row] = await (db as RawReader).$queryRawUnsafe<Record<string, boolean>[]>(text, ...values);
      return filters.map((_, i) => row?.[String(i)] === true);
    },
    async read(db, name, id, options = {}) {
      return (await access.readMany(db, name, [id], options)).get(id) ?? null;
    },
    async readMany(db, name, ids, options = {}) {
      const object = objectOf(name);
      const trashed = options.trashed ?? false;
      const found = new Map<string, RecordJson>();
      if (!ids.length) return found;
      const idWhere = { ...(ids.length === 1 ? { id: ids[0] } : { id: { in: [...ids] } }), ...ownRows(object) };
      const rows = await delegate(db, object.model).findMany({ where: trashed && isTrashable(object.model) ? { ...idWhere, ...includingTrashed } : idWhere });
      for (const row of rows) found.set(String(row.id), recordJson(object, row));
      // Each to-one relation: one statement for the related rows of every record.
      for (const relationName of options.relations ?? []) {
        const relation = object.relations.get(relationName);
        if (!relation || relation.kind !== 'toOne' || relation.keyOnTarget) continue;
        // The key is a column, or a relation field's id in the `customFields` JSON.
        const keyField = object.fields.get(relation.key);
        const keyOf = (row: Record<string, unknown>) => (keyField ? valueOf(keyField, row) : row[relation.key]);
        const keys = [...new Set(rows.map(keyOf).filter((key): key is string => typeof key === 'string'))];
        const target = catalog.target(relation);
        const related = keys.length ? await delegate(db, target.model).findMany({ where: { id: { in: keys }, ...ownRows(target) } }) : [];
        const byId = new Map(related.map((row) => [String(row.id), recordJson(target, row)]));
        for (const row of rows) {
          const key = keyOf(row);
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
      // With the workspace's definitions the filter is the read engine's SQL (custom fields); else core's Prisma `where`.
      const sqlFilter = workspace && options.filter ? options.filter : null;
      const and: unknown[] = [];
      if (options.filter && !sqlFilter) and.push(prismaWhere(options.filter));
      if (options.ids) and.push({ id: { in: [...options.ids] } });
      if (object.sharedTable) and.push(ownRows(object));
      const select = Object.fromEntries([['id', true], ...columns.map((field) => [field.stored?.json ?? field.column, true])]);
      const rangeField = options.range ? object.fields.get(options.range.field) : undefined;
      if (options.range && !rangeField) throw new Error(`${name} has no field ${options.range.field}`);
      if (options.range && rangeField?.stored && !workspace) throw new Error(`${name}.${rangeField.name} is a custom field: select through objects.inWorkspace`);
      if (options.range && (rangeField!.stored || sqlFilter)) return pagedRange(rangeField!, options.range);
      if (sqlFilter) and.push({ id: { in: await matchingIds(db, name, sqlFilter, { ids: options.ids, limit: options.limit }) } });
      let orderBy: unknown = [{ id: 'asc' }];
      if (options.range && rangeField) {
        and.push(columnRange(rangeField.column, options.range));
        orderBy = [{ [rangeField.column]: 'asc' }, { id: 'asc' }];
      }
      const rows = await delegate(db, object.model).findMany({ where: and.length ? { AND: and } : {}, orderBy, take: options.limit, select });
      return rows.map(shape);

      /**
       * Pages of the range in the field's order (a custom field's by its own SQL); with a filter or ids, each page's
       * records that match (one or two more statements), until `limit` match or the range ends: the last record
       * returned is a true cursor.
       */
      async function pagedRange(field: ResolvedField, range: NonNullable<typeof options.range>): Promise<RecordJson[]> {
        const found: RecordJson[] = [];
        let cursor = range.cursor ?? null;
        for (;;) {
          const want = options.limit - found.length;
          const page = field.stored
            ? await customDateRange(db as RawReader, workspace!.id, object, field, { ...range, cursor }, want)
            : (
                await delegate(db, object.model).findMany({
                  where: { AND: [...and, columnRange(field.column, { ...range, cursor })] },
                  orderBy: [{ [field.column]: 'asc' }, { id: 'asc' }],
                  take: want,
                  select: { id: true, [field.column]: true },
                })
              ).map((row) => ({ id: String(row.id), value: row[field.column] as Date | string }));
          if (!page.length) return found;
          const matching = sqlFilter ? new Set(await matchingIds(db, name, sqlFilter, { ids: page.map((r) => r.id) })) : null;
          const ids = page.map((r) => r.id).filter((id) => !matching || matching.has(id));
          const rows = ids.length ? await delegate(db, object.model).findMany({ where: { AND: [...and, { id: { in: ids } }] }, select }) : [];
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
      const payload = event.payload as { changes?: unknown } | null;
      const changes = payload && typeof payload.changes === 'object' && payload.changes !== null ? (payload.changes as RecordChange['changes']) : null;
      const change = recordChangeKind(event.type, changes !== null);
      return change && { object: event.subjectType, change, changes: change === 'updated' ? (changes ?? {}) : null };
    },
    creatable: (object) => access.writable(object, 'create'),
    writable: (object, action) => catalog.has(object) && Boolean(writerOf(catalog.get(object))?.[action]),
    writableField: (object, name, action, at, permissions) => fieldToWrite(objectOf(object), name, action, at, permissions).field,
    requireWriteAction: (object, action, at, permissions) => requireWriteAction(objectOf(object), action, at, permissions),
    ...valueChecks(catalog, workspace),
  };
  return access;
}
