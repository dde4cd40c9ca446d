import { getDatamodel } from './generated/pothos-types.js';

/**
 * The trash, enforced once in the data layer (docs/data.md). A model is trashable when it has a `deletedAt` column;
 * `trashableModels` is THE list: the workspace-scoped client (`tenant-scope.ts`) adds `deletedAt: null` to every
 * read and write of these models, and the SQL projection adds `"deletedAt" IS NULL` for their tables.
 *
 * The escape is explicit: a `where` that names `deletedAt` itself is left as is (`{ deletedAt: { not: null } }`
 * lists the trash; `...includingTrashed` reaches a row whatever its state).
 */
const models = getDatamodel().datamodel.models;

export const trashableModels: readonly string[] = Object.entries(models)
  .filter(([, model]) => model.fields.some((field) => field.name === 'deletedAt'))
  .map(([name]) => name);

const trashable = new Set(trashableModels);

const trashColumns = ['deletedAt', 'deletedBy', 'deleteReason', 'trashedWithId'];

/**
 * Whether `model` has every column of the trash's bookkeeping (`deletedAt`, `deletedBy`, `deleteReason`,
 * `trashedWithId`): such a model's records go through the generic trash (core `services/trash`). A model with only
 * `deletedAt` is still hidden when trashed, but keeps its own trash commands (custom records).
 */
export const hasTrashColumns = (model: string) =>
  trashable.has(model) && trashColumns.every((column) => models[model]!.fields.some((field) => field.name === column));

/**
 * What goes to the trash with a record of `model`: the rows of trashable models with a required link to it (those the
 * database deletes with it), by model and linking column; and the column naming the customer the record belongs to,
 * if it has one. Core objects list theirs by hand (core `services/trash/objects.ts`); any other trashable model (a
 * plugin's) gets its trash from this, so adding `deletedAt` is all it takes.
 */
export function trashShapeOf(model: string): { dependents: { model: string; key: string }[]; customerKey?: string } {
  const dependents = Object.entries(models)
    .filter(([name]) => hasTrashColumns(name))
    .flatMap(([name, child]) =>
      child.fields
        .filter((field) => field.kind === 'object' && field.type === model && field.isRequired && !field.isList && field.relationFromFields?.length === 1)
        .map((field) => ({ model: name, key: field.relationFromFields![0]! })),
    );
  const hasCustomer = models[model]?.fields.some((field) => field.name === 'customerId' && field.kind === 'scalar');
  return hasCustomer ? { dependents, customerKey: 'customerId' } : { dependents };
}

/** Spread into a `where` to reach trashed and live rows alike (restore, destroy, merge, erasure). */
export const includingTrashed = Object.freeze({ deletedAt: undefined }) as { deletedAt?: undefined };

export const isTrashable = (model: string) => trashable.has(model);

type Where = Record<string, unknown> | undefined;

/** `where` without trashed rows, unless it names `deletedAt` itself. */
export function withoutTrashed(where: Where): Record<string, unknown> {
  if (where && 'deletedAt' in where) return where;
  return { ...(where ?? {}), deletedAt: null };
}

interface RelationInfo {
  target: string;
  isList: boolean;
  isRequired: boolean;
}

const relations = new Map<string, Map<string, RelationInfo>>(
  Object.entries(models).map(([name, model]) => [
    name,
    new Map(
      model.fields
        .filter((field) => field.kind === 'object')
        .map((field) => [field.name, { target: field.type, isList: field.isList, isRequired: field.isRequired }]),
    ),
  ]),
);

/** Nullable to-one relations to trashable rows that were selected: after the query, a trashed one reads as null. */
export interface TrashedLinks {
  [relation: string]: { hide: boolean; nested: TrashedLinks };
}

type Selection = Record<string, unknown>;

/**
 * Rewrites a query's `include`/`select` so nested to-many relations skip trashed rows, counts (`_count`) too, and
 * nullable to-one relations to trashable models select `deletedAt` (see `hideTrashedLinks`).
 */
export function scopeNestedReads(model: string, args: Selection): { args: Selection; links: TrashedLinks | null } {
  let links: TrashedLinks | null = null;
  const out: Selection = { ...args };
  for (const key of ['include', 'select'] as const) {
    const selection = args[key];
    if (!selection || typeof selection !== 'object') continue;
    const [scoped, nested] = scopeSelection(model, selection as Selection);
    out[key] = scoped;
    if (nested) links = { ...(links ?? {}), ...nested };
  }
  return { args: out, links };
}

function scopeSelection(model: string, selection: Selection): [Selection, TrashedLinks | null] {
  const fields = relations.get(model);
  if (!fields) return [selection, null];
  let links: TrashedLinks | null = null;
  const out: Selection = { ...selection };
  for (const [name, value] of Object.entries(selection)) {
    if (name === '_count' && value && typeof value === 'object') {
      out._count = scopeCount(model, value as Selection);
      continue;
    }
    const relation = fields.get(name);
    if (!relation || !value) continue;
    const nestedArgs: Selection = value === true ? {} : { ...(value as Selection) };
    const target = isTrashable(relation.target);
    if (relation.isList && target) nestedArgs.where = withoutTrashed(nestedArgs.where as Where);
    const scoped = scopeNestedReads(relation.target, nestedArgs);
    const hide = target && !relation.isList && !relation.isRequired;
    if (hide && scoped.args.select) scoped.args.select = { ...(scoped.args.select as Selection), deletedAt: true };
    if (hide || scoped.links) links = { ...(links ?? {}), [name]: { hide, nested: scoped.links ?? {} } };
    // `true` stays `true` when nothing was added (Prisma's shorthand for "every scalar").
    out[name] = Object.keys(scoped.args).length ? scoped.args : true;
  }
  return [out, links];
}

function scopeCount(model: string, count: Selection): Selection {
  const select = count.select as Selection | undefined;
  if (!select || typeof select !== 'object') return count;
  const fields = relations.get(model);
  const scoped: Selection = {};
  for (const [name, value] of Object.entries(select)) {
    const relation = fields?.get(name);
    if (!relation || !isTrashable(relation.target) || !value) {
      scoped[name] = value;
      continue;
    }
    const args = value === true ? {} : (value as Selection);
    scoped[name] = { ...args, where: withoutTrashed(args.where as Where) };
  }
  return { ...count, select: scoped };
}

/** Replaces trashed rows reached through nullable to-one relations with null, in place. */
export function hideTrashedLinks(result: unknown, links: TrashedLinks): unknown {
  if (Array.isArray(result)) {
    for (const row of result) hideTrashedLinks(row, links);
    return result;
  }
  if (!result || typeof result !== 'object') return result;
  const row = result as Record<string, unknown>;
  for (const [name, link] of Object.entries(links)) {
    const value = row[name];
    if (value == null) continue;
    if (link.hide && !Array.isArray(value) && (value as { deletedAt?: unknown }).deletedAt != null) {
      row[name] = null;
      continue;
    }
    hideTrashedLinks(value, link.nested);
  }
  return result;
}
