import type { Prisma } from '@crm/db';
import { badInput } from '../../errors.js';
import { coreCatalog, coreFilterContext } from '../../objects/core-catalog.js';
import type { FilterNode } from '../../objects/filter/filter-node.js';
import { parseFilter } from '../../objects/filter/parse-filter.js';
import { prismaWhere } from '../../objects/filter/prisma-where.js';

/**
 * A saved segment's filter as stored (JSON): a customer filter in the same language as `customers(filter:)`
 * (docs/api.md, "Filtering"), with global ids and ISO instants, exactly as a client would send it.
 */
export type SegmentFilter = Prisma.InputJsonObject;

const customer = () => coreCatalog.get('Customer');

function usesSegment(node: FilterNode): boolean {
  switch (node.kind) {
    case 'segment':
      return true;
    case 'and':
    case 'or':
      return node.items.some(usesSegment);
    case 'not':
      return usesSegment(node.item);
    default:
      return false;
  }
}

/** JSON as stored: instants as ISO strings, absent entries dropped. */
function storable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(storable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, storable(v)]));
  }
  return value;
}

/**
 * Validates a filter for saving (BAD_USER_INPUT naming the path, `filter.or.1.company.industry.eq`). A segment may not
 * be defined by membership of segments: their memberships are refreshed independently, so the result would depend on
 * the order of refreshing.
 */
export function parseSegmentFilter(raw: unknown): SegmentFilter {
  const node = parseFilter(customer(), raw, coreFilterContext());
  if (usesSegment(node)) throw badInput('filter: a saved segment cannot be defined by segment membership (inSegment)', 'filter');
  const stored = storable(raw ?? {});
  return stored as SegmentFilter;
}

/** The customers a stored filter selects, as a Prisma `where` (relative dates are resolved now). */
export function segmentCustomerWhere(stored: unknown): Prisma.CustomerWhereInput {
  return prismaWhere(parseFilter(customer(), stored, coreFilterContext())) as Prisma.CustomerWhereInput;
}
