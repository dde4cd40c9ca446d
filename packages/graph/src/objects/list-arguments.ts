import {
  coreFilterContext,
  type FilterContext,
  type FilterNode,
  type ObjectCatalog,
  type OrderInput,
  type OrderTerm,
  parseFilter,
  parseOrder,
  type ResolvedField,
  type ResolvedObject,
} from '@crm/core';
import type { GraphContext } from '../context.js';

/** The arguments every derived list takes (root lists and nested connections alike). */
export interface ListArguments {
  filter?: Record<string, unknown> | null;
  orderBy?: readonly OrderInput[] | null;
  search?: string | null;
}

/** Whether the caller reads a field (its permissions: role, scopes, the declaration's `read`). */
export const readable = (ctx: GraphContext) => (field: ResolvedField) => ctx.permissions !== null && ctx.permissions.canReadField(field);

/** How this request parses filters: global ids, the database's enums, the caller's field permissions. */
export function filterContextOf(catalog: ObjectCatalog, ctx: GraphContext): FilterContext {
  const { permissions } = ctx;
  return coreFilterContext(catalog, { canRead: readable(ctx), ...(permissions?.restrictsRows ? { rowRule: (object: ResolvedObject) => permissions.rowFilter(object) } : {}) });
}

/** The validated filter and order of a list's arguments (BAD_USER_INPUT / FORBIDDEN naming the path). */
export function listQuery(catalog: ObjectCatalog, object: ResolvedObject, args: ListArguments, ctx: GraphContext): { filter: FilterNode; order: OrderTerm[] } {
  return {
    filter: parseFilter(object, args.filter, filterContextOf(catalog, ctx)),
    order: parseOrder(catalog, object, args.orderBy, { canRead: readable(ctx) }),
  };
}
