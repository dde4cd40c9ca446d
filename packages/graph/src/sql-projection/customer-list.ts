import { decodeGlobalID } from '@pothos/plugin-relay';
import { decline } from './not-projectable.js';
import { column, type OrderTerm, type SqlParams } from './sql-text.js';

/**
 * `Query.customers` in SQL: the same filters, search and order as `customerWhere` and the Pothos field in
 * modules/customers.ts (kept equal by test/sql-projection.test.ts, which runs both paths). Anything unusual
 * (an input the Pothos path would reject, a filter this file does not know) declines, and Pothos answers.
 */
export interface RootListArgs {
  filter?: Record<string, unknown> | null;
  orderBy?: readonly { field: string; direction: string }[] | null;
  search?: string | null;
}

const orderColumns: Record<string, string> = {
  NAME: 'name',
  CREATED_AT: 'createdAt',
  UPDATED_AT: 'updatedAt',
  LIFETIME_VALUE: 'lifetimeValue',
  LAST_ORDER_AT: 'lastOrderAt',
};

const knownFilters = new Set(['lifecycleStage', 'companyId', 'ownerId', 'tag', 'tagsAny', 'source', 'createdAt', 'lifetimeValue', 'lastOrderAt']);
const decimal = /^-?\d{1,12}(\.\d{1,2})?$/;

function rowIdOf(value: unknown, typename: string): string {
  try {
    const { typename: actual, id } = decodeGlobalID(String(value));
    if (actual === typename && /^[0-9a-f-]{36}$/i.test(id)) return id;
  } catch {
    // falls through: Pothos reports the bad id
  }
  return decline('bad id', false);
}

function range(value: unknown, keys: readonly [string, string]): [unknown, unknown] {
  const object = (value ?? {}) as Record<string, unknown>;
  if (Object.keys(object).some((k) => !keys.includes(k) && object[k] != null)) decline('unknown range key');
  return [object[keys[0]], object[keys[1]]];
}

const inList = (params: SqlParams, values: readonly unknown[], cast: string) => values.map((v) => params.add(v, cast)).join(', ');

const isoOf = (value: unknown): string => (value instanceof Date ? value.toISOString() : decline('bad date', false));

/** The WHERE conditions for `alias` (without the workspace condition). */
export function customerConditions(args: RootListArgs, params: SqlParams): (alias: string) => string[] {
  const filter = args.filter ?? {};
  const parts: ((a: string) => string)[] = [];
  for (const [key, value] of Object.entries(filter)) if (value != null && !knownFilters.has(key)) decline(`filter.${key}`);
  const stages = filter.lifecycleStage as string[] | null | undefined;
  if (stages?.length) {
    const list = inList(params, stages, '"LifecycleStage"');
    parts.push((a) => `${column(a, 'lifecycleStage')} IN (${list})`);
  }
  if (filter.companyId) {
    const p = params.add(rowIdOf(filter.companyId, 'Company'), 'uuid');
    parts.push((a) => `${column(a, 'companyId')} = ${p}`);
  }
  if (filter.ownerId) {
    const p = params.add(rowIdOf(filter.ownerId, 'User'), 'uuid');
    parts.push((a) => `${column(a, 'ownerId')} = ${p}`);
  }
  if (typeof filter.tag === 'string' && filter.tag) {
    const p = params.add(filter.tag.trim().toLowerCase(), 'text');
    parts.push((a) => `${column(a, 'tags')} @> ARRAY[${p}]`);
  }
  const tagsAny = filter.tagsAny as string[] | null | undefined;
  if (tagsAny?.length) {
    const list = inList(params, tagsAny.map((t) => t.trim().toLowerCase()), 'text');
    parts.push((a) => `${column(a, 'tags')} && ARRAY[${list}]`);
  }
  const sources = filter.source as string[] | null | undefined;
  if (sources?.length) {
    const list = inList(params, sources, '"Channel"');
    parts.push((a) => `${column(a, 'source')} IN (${list})`);
  }
  for (const [key, name] of [['createdAt', 'createdAt'], ['lastOrderAt', 'lastOrderAt']] as const) {
    const [from, to] = range(filter[key], ['from', 'to']);
    if (from) {
      const p = params.add(isoOf(from), 'timestamptz');
      parts.push((a) => `${column(a, name)} >= ${p}`);
    }
    if (to) {
      const p = params.add(isoOf(to), 'timestamptz');
      parts.push((a) => `${column(a, name)} < ${p}`);
    }
  }
  const [min, max] = range(filter.lifetimeValue, ['min', 'max']);
  for (const [bound, op] of [[min, '>='], [max, '<=']] as const) {
    if (!bound) continue;
    if (typeof bound !== 'string' || !decimal.test(bound)) decline('bad decimal', false);
    const p = params.add(bound, 'numeric');
    parts.push((a) => `${column(a, 'lifetimeValue')} ${op} ${p}`);
  }
  const q = args.search?.trim();
  if (q) {
    // Prisma's `contains` does not escape LIKE wildcards; rather than copy that, such searches go to Pothos.
    if (q.length > 200 || /[%_\\]/.test(q)) decline('search', false);
    const p = params.add(`%${q}%`, 'text');
    parts.push(
      (a) =>
        `(${column(a, 'name')} ILIKE ${p} OR ${column(a, 'email')} ILIKE ${p} OR EXISTS (SELECT 1 FROM "Company" s WHERE s."id" = ${column(a, 'companyId')} AND s."deletedAt" IS NULL AND s."name" ILIKE ${p}))`,
    );
  }
  return (alias) => parts.map((part) => part(alias));
}

/** The list's order: the requested sort fields, then `id` (Prisma's cursor needs a unique last term). */
export function customerOrder(args: RootListArgs): OrderTerm[] {
  const terms: OrderTerm[] = (args.orderBy ?? []).map((o) => {
    const name = orderColumns[o.field] ?? decline(`order ${o.field}`);
    const direction = o.direction === 'DESC' ? 'desc' : 'asc';
    return name === 'lastOrderAt' ? { column: name, direction, nulls: 'last' } : { column: name, direction };
  });
  return [...terms, { column: 'id', direction: 'asc' }];
}
