import { isTrashable } from '@crm/db';
import { badInput } from '../../errors.js';
import type { ResolvedField } from '../declaration.js';
import type { CompareOp, FilterNode, FilterScalar } from './filter-node.js';

/** A Prisma `where` object of whichever model the filter is about. */
export type PrismaWhere = Record<string, unknown>;

/** LIKE patterns treat `%`, `_` and `\` as special; Prisma passes them through, so they are escaped here. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The Prisma `where` of a validated filter. The same semantics as the SQL compiler (`filter-sql.ts` in @crm/graph),
 * which the differential tests hold equal: `neq`/`notIn` keep rows whose value is null (IS DISTINCT FROM), ordered
 * comparisons never match null, text matching is case-insensitive with wildcards taken literally.
 */
export function prismaWhere(node: FilterNode): PrismaWhere {
  switch (node.kind) {
    case 'and':
      return node.items.length === 0 ? {} : node.items.length === 1 ? prismaWhere(node.items[0]!) : { AND: node.items.map(prismaWhere) };
    case 'or':
      return { OR: node.items.map(prismaWhere) };
    case 'not':
      return { NOT: prismaWhere(node.item) };
    case 'compare':
      return compare(node.field, node.op, node.value);
    case 'toOne':
      if (node.relation.custom) throw customFieldNeedsEngine(node.relation.name);
      return { [node.relation.name]: { is: liveOnly(node.target.model, prismaWhere(node.item)) } };
    case 'toMany':
      if (node.relation.custom) throw customFieldNeedsEngine(node.relation.name);
      return { [node.relation.name]: { [node.quantifier]: liveOnly(node.target.model, prismaWhere(node.item)) } };
    case 'segment':
      // A trashed customer is in no segment (a STATIC segment keeps its row through the trash), trashed rows read or not.
      return { AND: [{ segmentMemberships: { some: { segmentId: node.segmentId } } }, { deletedAt: null }] };
  }
}

/** Related rows in the trash never match a relation filter (the scoped client only scopes the top-level `where`). */
const liveOnly = (model: string, where: PrismaWhere): PrismaWhere => (isTrashable(model) ? { AND: [where, { deletedAt: null }] } : where);

/**
 * A custom field is filtered and sorted by the read engine only (packages/graph/src/engine): an operation it leaves
 * to the resolvers (one that also selects a computed or plugin field) cannot filter or sort on one.
 */
export const customFieldNeedsEngine = (name: string) =>
  badInput(
    `${name} is a custom field: filter and sort on it in a query of declared fields only (this one also selects computed or plugin fields; query those separately)`,
    name,
  );

const matchNothing: PrismaWhere = { id: { in: [] } };

function compare(field: ResolvedField, op: CompareOp, value: FilterScalar | FilterScalar[]): PrismaWhere {
  // Prisma's JSON filters cannot hold the engine's semantics (typed comparisons, nulls, case-insensitive text).
  if (field.stored) throw customFieldNeedsEngine(field.name);
  const column = field.column;
  const withNulls = (condition: PrismaWhere): PrismaWhere => (field.nullable ? { OR: [condition, { [column]: null }] } : condition);
  switch (op) {
    case 'eq':
      return { [column]: { equals: value } };
    case 'neq':
      return withNulls({ [column]: { not: value } });
    case 'in':
      return { [column]: { in: value } };
    case 'notIn':
      return withNulls({ [column]: { notIn: value } });
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return { [column]: { [op]: value } };
    case 'isNull':
      // Prisma refuses `null` on a required column; such a column is simply never null.
      if (!field.nullable) return value ? matchNothing : {};
      return value ? { [column]: null } : { [column]: { not: null } };
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      return { [column]: { [op]: escapeLike(String(value)), mode: 'insensitive' } };
    case 'has':
      return { [column]: { has: value } };
    case 'hasAny':
      return { [column]: { hasSome: value } };
    case 'hasAll':
      return { [column]: { hasEvery: value } };
    case 'isEmpty':
      return { [column]: { isEmpty: value } };
  }
}
