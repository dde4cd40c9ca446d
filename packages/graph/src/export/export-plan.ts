import { badInput, coreFilterContext, CrmError, hasRole, notFound, type ObjectCatalog, type OrderInput, parseFilter, parseOrder, type ResolvedField, type ResolvedObject, type Session } from '@crm/core';
import { type ExportColumn, exportColumns, ExportQuery } from '../engine/export-sql.js';

/** What a caller asks to export (the HTTP query string or the CLI's options, already JSON-decoded). */
export interface ExportRequest {
  /** The object's list name (`customers`) or its name (`Customer`, any case). */
  object: string;
  /** The object's filter, in the filter language of its GraphQL list (global ids, ISO instants). */
  filter?: unknown;
  /** As the list's `orderBy`: `[{ field: "NAME", direction: "DESC" }]`. @default the list's default order */
  orderBy?: unknown;
  /** Columns (`name`, `company.name`). @default every field the caller may read */
  fields?: readonly string[] | null;
}

/** Runs one statement; rows come back as objects keyed by column name. */
export type RunSql = (sql: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/** A validated export: its columns, and its rows page by page. */
export interface ExportPlan {
  object: ResolvedObject;
  columns: readonly ExportColumn[];
  /** How many rows there are now (for progress; the pages may differ if rows change meanwhile). */
  count(run: RunSql): Promise<number>;
  /** The rows in pages of `pageSize` (each row one value per column, as the API formats them). */
  pages(run: RunSql, pageSize?: number): AsyncGenerator<unknown[][]>;
}

/** Rows per statement. @default 2000 */
export const EXPORT_PAGE_SIZE = 2000;

/** The object a request names: one with a root list (exports are of lists). NOT_FOUND otherwise. */
function exportedObject(catalog: ObjectCatalog, name: string): ResolvedObject {
  const wanted = name.toLowerCase();
  for (const object of catalog.objects) {
    if (object.plural && (object.plural === name || object.name.toLowerCase() === wanted)) return object;
  }
  throw notFound(`An exportable object named ${name}`, 'object');
}

function orderInput(raw: unknown): OrderInput[] | null {
  if (raw === null || raw === undefined) return null;
  const list = Array.isArray(raw) ? raw : [raw];
  list.forEach((entry, i) => {
    if (typeof entry !== 'object' || entry === null || typeof (entry as OrderInput).field !== 'string') {
      throw badInput(`orderBy.${i}: an order is { field, direction?, nulls? } as in the list's orderBy`, `orderBy.${i}`);
    }
  });
  return list as OrderInput[];
}

/**
 * Checks an export before anything is sent: the object exists and the caller reads it (any role reads lists, unless the
 * object declares otherwise), the filter, order and columns are valid and readable by the caller (FORBIDDEN naming the
 * field otherwise). Filter and order go through the same parser and SQL compiler as the GraphQL lists; tenancy and the
 * trash apply as in every read (`visibleRows`).
 */
export function planExport(catalog: ObjectCatalog, session: Session, request: ExportRequest): ExportPlan {
  const object = exportedObject(catalog, request.object);
  if (!hasRole(session, object.read)) throw new CrmError('FORBIDDEN', `Your API key cannot read ${object.plural}`, 'object');
  const canRead = (field: ResolvedField) => hasRole(session, field.read) && hasRole(session, catalog.get(field.owner).read);
  const filter = parseFilter(object, request.filter, coreFilterContext(catalog, { canRead }));
  const order = parseOrder(catalog, object, orderInput(request.orderBy), { canRead });
  const columns = exportColumns(catalog, object, request.fields ?? null, canRead);
  if (!columns.length) throw badInput('fields: nothing to export', 'fields');
  const query = new ExportQuery({ catalog, object, columns, filter, order, workspaceId: session.workspaceId });
  return {
    object,
    columns,
    async count(run) {
      const page = query.count();
      return Number((await run(page.sql, page.params))[0]?.rows ?? 0);
    },
    async *pages(run, pageSize = EXPORT_PAGE_SIZE) {
      let after: (string | null)[] | null = null;
      for (;;) {
        const page = query.page(after, pageSize);
        const rows = await run(page.sql, page.params);
        if (rows.length) yield rows.map((row) => JSON.parse(String(row.row)) as unknown[]);
        if (rows.length < pageSize) return;
        const last = rows.at(-1)!;
        after = order.map((_, i) => (last[`k${i}`] ?? null) as string | null);
      }
    },
  };
}

/** A JSON option (`filter`, `orderBy`) as text: BAD_USER_INPUT naming it when it is not JSON. */
function jsonOption(text: string | null | undefined, name: string): unknown {
  if (text === null || text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badInput(`${name}: not JSON (${name}=${name === 'filter' ? '{"lifecycleStage":{"eq":"CUSTOMER"}}' : '[{"field":"NAME","direction":"DESC"}]'})`, name);
  }
}

/**
 * An export request from text options, as the query string and the CLI give them: `filter` and `orderBy` as JSON
 * (`orderBy` may also be one bare sort key, `NAME`), `fields` comma-separated.
 */
export function exportRequestFromText(object: string, options: { filter?: string | null; orderBy?: string | null; fields?: string | null }): ExportRequest {
  const order = options.orderBy?.trim();
  const fields = options.fields
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return {
    object,
    filter: jsonOption(options.filter, 'filter'),
    orderBy: order && /^[A-Z][A-Z0-9_]*$/.test(order) ? [{ field: order }] : jsonOption(order, 'orderBy'),
    fields: fields?.length ? fields : null,
  };
}
