import type { Prisma } from '@crm/db';
import { badInput } from '../../errors.js';
import type { ObjectCatalog } from '../../objects/catalog.js';
import { coreFilterContext } from '../../objects/core-catalog.js';
import type { FilterNode } from '../../objects/filter/filter-node.js';
import { parseFilter } from '../../objects/filter/parse-filter.js';
import type { Permissions } from '../../permissions/permissions.js';

/**
 * A saved segment's filter as stored (JSON): a customer filter in the same language as `customers(filter:)`
 * (docs/api.md, "Filtering"), custom fields included, with global ids and ISO instants, exactly as a client would
 * send it.
 */
export type SegmentFilter = Prisma.InputJsonObject;

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
 * Validates a filter for saving against the workspace's objects (`workspaceCatalog`), with the saving key's field
 * permissions (a field its role hides cannot select members). BAD_USER_INPUT naming the path
 * (`filter.or.1.company.industry.eq`). A segment may not be defined by membership of segments: their memberships are
 * refreshed independently, so the result would depend on the order of refreshing.
 */
export function parseSegmentFilter(catalog: ObjectCatalog, raw: unknown, permissions?: Permissions): SegmentFilter {
  const canRead = permissions ? { canRead: permissions.canReadField.bind(permissions) } : {};
  const node = parseFilter(catalog.get('Customer'), raw, coreFilterContext(catalog, canRead));
  if (usesSegment(node)) throw badInput('filter: a saved segment cannot be defined by segment membership (inSegment)', 'filter');
  return storable(raw ?? {}) as SegmentFilter;
}

/** A stored filter as the tree the compilers take (relative dates resolved now); throws when it no longer parses. */
export function segmentFilterNode(catalog: ObjectCatalog, stored: unknown): FilterNode {
  return parseFilter(catalog.get('Customer'), stored, coreFilterContext(catalog));
}
