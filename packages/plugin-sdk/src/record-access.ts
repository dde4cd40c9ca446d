// Records of any declared object (core's and the enabled plugins'), as plugin code reads them: the object catalog,
// the filter language (core's parser and Prisma compiler, the same that lists and segments use), a record by id as
// JSON, and which record change an event stands for. Automation-style plugins (workflows) need exactly this and
// nothing of the core's internals.
import {
  type FilterNode,
  formatMoney,
  ObjectCatalog,
  type ObjectDeclaration,
  type ResolvedObject,
  coreFilterContext,
  coreObjects,
  parseFilter,
  prismaWhere,
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
   * Which record change an event stands for, or null when its subject is not a declared object. One rule for every
   * object, plugins' included: `<x>.created|opened|logged|recorded` create, `<x>.trashed|destroyed|deleted` delete,
   * and any event carrying `changes` (`FieldChanges`) or named `<x>.updated` updates.
   */
  changeOf(event: { type: string; subjectType: string; payload: unknown }): RecordChange | null;
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
    | { findFirst(args: unknown): Promise<Record<string, unknown> | null>; count(args: unknown): Promise<number> }
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

  return {
    catalog,
    parseFilter: (object, raw, path) => parseFilter(objectOf(object), raw, filterContext, path),
    async matches(db, object, id, filter, options = {}) {
      const model = objectOf(object).model;
      return (await delegate(db, model).count({ where: { ...where(model, id, options.trashed ?? false), AND: [prismaWhere(filter)] } })) > 0;
    },
    async read(db, name, id, options = {}) {
      const object = objectOf(name);
      const row = await delegate(db, object.model).findFirst({ where: where(object.model, id, options.trashed ?? false) });
      if (!row) return null;
      const record = recordJson(object, row);
      for (const relationName of options.relations ?? []) {
        const relation = object.relations.get(relationName);
        if (!relation || relation.kind !== 'toOne' || relation.keyOnTarget) continue;
        const key = row[object.fields.get(relation.key)?.column ?? relation.key];
        const target = catalog.target(relation);
        const related = typeof key === 'string' ? await delegate(db, target.model).findFirst({ where: { id: key } }) : null;
        record[relationName] = related ? recordJson(target, related) : null;
      }
      return record;
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
  };
}
