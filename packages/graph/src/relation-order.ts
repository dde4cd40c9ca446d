type Direction = 'asc' | 'desc';

/**
 * A relation field's fixed order, for `t.relation` / `t.relatedConnection` (with `cursor: 'id'`): it gives Pothos
 * its `query.orderBy` and records the same terms in the field's extensions, where the SQL projection reads them
 * (Pothos keeps a related connection's `query` to itself). Spread it into the field's options.
 */
export function orderedBy<const O extends Record<string, Direction>>(...orderBy: O[]) {
  return { query: { orderBy }, extensions: { relationOrder: orderBy as readonly Record<string, Direction>[] } };
}
