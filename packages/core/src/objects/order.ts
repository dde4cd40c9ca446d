import { badInput, CrmError } from '../errors.js';
import type { ObjectCatalog } from './catalog.js';
import { customFieldNeedsEngine } from './filter/prisma-where.js';
import type { OrderTerm, ResolvedField, ResolvedObject } from './declaration.js';

/** A sort key a list offers: a sortable field of the object, or of a to-one related object (`company.name`). */
export interface SortKey {
  /** `NAME`, `COMPANY_NAME`: the GraphQL enum value. */
  name: string;
  field: ResolvedField;
  relation?: string;
}

/** A field name as a GraphQL enum value: `lifetimeValue` → `LIFETIME_VALUE`. */
export const screaming = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Every sort key of an object: its sortable fields, then the sortable fields of its to-one relations. */
export function sortKeys(catalog: ObjectCatalog, object: ResolvedObject): SortKey[] {
  const keys: SortKey[] = [];
  for (const field of object.fields.values()) if (field.sort) keys.push({ name: screaming(field.name), field });
  for (const relation of object.relations.values()) {
    if (relation.kind !== 'toOne' || !relation.expose) continue;
    for (const field of catalog.target(relation).fields.values()) {
      if (field.sort && field.expose && field.kind !== 'id') keys.push({ name: `${screaming(relation.name)}_${screaming(field.name)}`, field, relation: relation.name });
    }
  }
  const seen = new Set<string>();
  return keys.filter((k) => (seen.has(k.name) ? false : (seen.add(k.name), true)));
}

/** One `orderBy` entry as GraphQL hands it over. */
export interface OrderInput {
  field: string;
  direction?: 'ASC' | 'DESC' | null;
  nulls?: 'FIRST' | 'LAST' | null;
}

export interface OrderContext {
  canRead?(field: ResolvedField): boolean;
}

/**
 * The order of a list: the requested keys (or the object's default order), then `id` as the tie-break, so that the
 * order is total and cursors stay valid for every order.
 */
export function parseOrder(
  catalog: ObjectCatalog,
  object: ResolvedObject,
  input: readonly OrderInput[] | null | undefined,
  context: OrderContext = {},
  path = 'orderBy',
): OrderTerm[] {
  const keys = new Map(sortKeys(catalog, object).map((k) => [k.name, k]));
  if ((input?.length ?? 0) > 5) throw badInput(`${path}: at most 5 sort keys`, path);
  const terms: OrderTerm[] = input?.length
    ? input.map((entry, i) => {
        const key = keys.get(entry.field);
        if (!key) throw badInput(`${path}.${i}.field: ${object.name} cannot be sorted by ${entry.field}`, `${path}.${i}.field`);
        if (context.canRead && !context.canRead(key.field)) {
          throw new CrmError('BAD_USER_INPUT', `${path}.${i}.field: ${key.field.name} is hidden from your API key's role`, `${path}.${i}.field`);
        }
        const term: OrderTerm = { field: key.field.name, direction: entry.direction === 'DESC' ? 'desc' : 'asc' };
        if (key.relation) term.relation = key.relation;
        // Only optional fields take `nulls` (as in Prisma); a required field behind an optional to-one relation keeps
        // PostgreSQL's default (empty last ascending, first descending).
        const nulls = entry.nulls ? (entry.nulls === 'FIRST' ? 'first' : 'last') : key.field.nulls;
        if (nulls && key.field.nullable) term.nulls = nulls;
        return term;
      })
    : [...object.defaultOrder];
  if (!terms.some((t) => t.field === 'id' && !t.relation)) terms.push({ field: 'id', direction: terms[0]?.direction ?? 'asc' });
  return terms;
}

/** Whether a term's column may hold NULL (a nullable field, or any field behind a nullable to-one relation). */
export function termNullable(catalog: ObjectCatalog, object: ResolvedObject, term: OrderTerm): boolean {
  if (!term.relation) return object.fields.get(term.field)?.nullable ?? false;
  const relation = object.relations.get(term.relation)!;
  return relation.nullable || (catalog.target(relation).fields.get(term.field)?.nullable ?? false);
}

/** The Prisma `orderBy` of an order. `nulls` is given only where Prisma allows it (optional columns). */
export function prismaOrderBy(catalog: ObjectCatalog, object: ResolvedObject, terms: readonly OrderTerm[]): Record<string, unknown>[] {
  return terms.map((term) => {
    const relation = term.relation ? object.relations.get(term.relation)! : null;
    const owner = relation ? catalog.target(relation) : object;
    const field = owner.fields.get(term.field)!;
    if (field.stored) throw customFieldNeedsEngine(field.name);
    if (relation?.custom) throw customFieldNeedsEngine(relation.name);
    const value = term.nulls && field.nullable ? { sort: term.direction, nulls: term.nulls } : term.direction;
    return term.relation ? { [term.relation]: { [field.column]: value } } : { [field.column]: value };
  });
}

/** The Prisma `select` that reads a row's values under an order (what `prismaKeyset` compares with). */
export function prismaOrderSelect(catalog: ObjectCatalog, object: ResolvedObject, terms: readonly OrderTerm[]): Record<string, unknown> {
  const select: Record<string, unknown> = {};
  for (const term of terms) {
    if (!term.relation) {
      select[object.fields.get(term.field)!.column] = true;
      continue;
    }
    const field = catalog.target(object.relations.get(term.relation)!).fields.get(term.field)!;
    const nested = (select[term.relation] ??= { select: {} }) as { select: Record<string, boolean> };
    nested.select[field.column] = true;
  }
  return select;
}

/**
 * The Prisma `where` of the rows strictly after (or, `backward`, strictly before) `row` in an order: the keyset
 * condition `(a, b, id) > (row.a, row.b, row.id)` spelled term by term, so that NULLs sit where the order puts them.
 * Prisma's own `cursor` does not keep NULLs where the order puts them; `row` is read with `prismaOrderSelect`.
 */
export function prismaKeyset(catalog: ObjectCatalog, object: ResolvedObject, terms: readonly OrderTerm[], row: Record<string, unknown>, backward = false): Record<string, unknown> {
  const equal: Record<string, unknown>[] = [];
  const alternatives: Record<string, unknown>[] = [];
  for (const term of terms) {
    const relation = term.relation ? object.relations.get(term.relation)! : null;
    const field = (relation ? catalog.target(relation) : object).fields.get(term.field)!;
    const value = relation ? ((row[relation.name] as Record<string, unknown> | null)?.[field.column] ?? null) : (row[field.column] ?? null);
    // A condition on the term's column (reached through the to-one relation if any; an absent related row counts as NULL).
    const on = (condition: unknown) => (relation ? { [relation.name]: { is: { [field.column]: condition } } } : { [field.column]: condition });
    // Prisma refuses `null` in a condition on a required column: there only an absent related row is NULL.
    const isNull = !relation ? on(null) : field.nullable ? { OR: [{ [relation.name]: { is: null } }, on(null)] } : { [relation.name]: { is: null } };
    const notNull = relation && !field.nullable ? { [relation.name]: { isNot: null } } : on({ not: null });
    const nullable = termNullable(catalog, object, term);
    // PostgreSQL's default: NULLs last ascending, first descending.
    const nullsLast = (term.nulls ?? (term.direction === 'asc' ? 'last' : 'first')) === 'last';
    const ascending = (term.direction === 'asc') !== backward;
    const nullsAfter = nullsLast !== backward;
    const beyond: Record<string, unknown>[] = [];
    if (value === null) {
      if (!nullsAfter) beyond.push(notNull);
    } else {
      beyond.push(on(ascending ? { gt: value } : { lt: value }));
      if (nullsAfter && nullable) beyond.push(isNull);
    }
    for (const condition of beyond) alternatives.push(equal.length ? { AND: [...equal, condition] } : condition);
    equal.push(value === null ? isNull : on(value));
  }
  return { OR: alternatives };
}
