// Pages of the lists the resolvers read (the operations and the fields the read engine leaves to them: backward cursor
// paging, mutation payloads). Pothos hands over Prisma's cursor (`{ cursor, skip: 1, take }`), which does not keep
// NULLs where a nullable order puts them (walking customers by company name, nulls first, backwards found 66 of 120).
// The cursor's row is read instead and the page continues from its values (`prismaKeyset`), as the engine's
// `afterCursor` does in SQL. Nested connections paged by a cursor still use Prisma's (Pothos' `relatedConnection`
// merges its cursor back into any `query` the field gives); walked both ways on a nullable order with NULLs inside one
// parent's list, they page right (`sql-projection.test.ts`).
import { type ObjectCatalog, type OrderTerm, prismaKeyset, prismaOrderBy, prismaOrderSelect, type ResolvedObject } from '@crm/core';
import { cursorRowId } from './cursor-in-workspace.js';
import type { ModelDelegate } from './model-delegate.js';

/** A Prisma delegate as a page needs it. */
type PageDelegate = Pick<ModelDelegate, 'findMany' | 'findFirst'>;

/** Pothos' page query of a Prisma connection. */
export interface PageQuery {
  take?: number;
  skip?: number;
  cursor?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The rows past (`backward`: before) the cursor's row in `order`; none when that row is gone, as with Prisma's cursor. */
async function pastCursor(
  catalog: ObjectCatalog,
  object: ResolvedObject,
  delegate: PageDelegate,
  cursor: Record<string, unknown>,
  order: readonly OrderTerm[],
  backward: boolean,
): Promise<object> {
  const row = (await delegate.findFirst({ where: cursor, select: prismaOrderSelect(catalog, object, order) })) as Record<string, unknown> | null;
  return row ? prismaKeyset(catalog, object, order, row, backward) : { id: { in: [] } };
}

/** The page `query` asks for, among the rows `where` selects, in `order`. */
export async function keysetPage(
  catalog: ObjectCatalog,
  object: ResolvedObject,
  delegate: PageDelegate,
  query: PageQuery,
  where: object,
  order: readonly OrderTerm[],
): Promise<unknown[]> {
  const orderBy = prismaOrderBy(catalog, object, order);
  const { cursor, skip, ...rest } = query;
  if (!cursor) return delegate.findMany({ ...rest, skip, where, orderBy });
  const backward = (query.take ?? 0) < 0;
  // A crafted cursor (`{ id: 5 }`) would fail inside Prisma: it is the client's input.
  cursorRowId(cursor, backward ? 'before' : 'after');
  const past = await pastCursor(catalog, object, delegate, cursor, order, backward);
  return delegate.findMany({ ...rest, where: { AND: [where, past] }, orderBy });
}
