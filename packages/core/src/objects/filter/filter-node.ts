import type { ResolvedField, ResolvedObject, ResolvedRelation } from '../declaration.js';

/** Comparison operators of the filter language; which apply to which field kind is in `operators.ts`. */
export type CompareOp =
  | 'eq'
  | 'neq'
  | 'in'
  | 'notIn'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'isNull'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'has'
  | 'hasAny'
  | 'hasAll'
  | 'isEmpty';

/** A value after validation: strings (text, decimals, enum values, row ids), numbers, booleans, instants. */
export type FilterScalar = string | number | boolean | Date;

/**
 * A validated filter: the tree every backend compiles (Prisma `where`, SQL). Values are normalised (row ids decoded,
 * instants as Dates, relative dates resolved), so compilers never validate again.
 */
export type FilterNode =
  | { kind: 'and'; items: FilterNode[] }
  | { kind: 'or'; items: FilterNode[] }
  | { kind: 'not'; item: FilterNode }
  | { kind: 'compare'; field: ResolvedField; op: CompareOp; value: FilterScalar | FilterScalar[] }
  | { kind: 'toOne'; relation: ResolvedRelation; target: ResolvedObject; item: FilterNode }
  | { kind: 'toMany'; relation: ResolvedRelation; target: ResolvedObject; quantifier: 'some' | 'every' | 'none'; item: FilterNode }
  /** Membership in a saved segment (objects declared `segmentable`). */
  | { kind: 'segment'; segmentId: string };

export const matchAll: FilterNode = { kind: 'and', items: [] };

export const isMatchAll = (node: FilterNode) => node.kind === 'and' && node.items.length === 0;

export function and(...nodes: FilterNode[]): FilterNode {
  const items = nodes.flatMap((n) => (n.kind === 'and' ? n.items : [n]));
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}
