// The row form of the engine's statement (docs/architecture.md, "What the statement returns"): an operation that is
// one root list answers with one result row per edge, its values in typed columns sent as text, as PostGraphile
// returns its pages, instead of one JSON document. Building JSON per row was most of a plain page's PostgreSQL CPU
// (Q4: 0.88 -> 0.53 ms per request, PostGraphile 0.64; docs/performance.md, issue 14 round 8). This file writes the
// statement's columns; `row-answer.ts` reads them back.
import { type Entry, tupleValues, valueText } from './built-object.js';
import { type LeafKind, type ResultShape, tupleKinds } from './result-shape.js';

/** A `pageInfo` field the gateway computes from the page's rows (what `connectionSql` computes in SQL otherwise). */
export type PageInfoField = '__typename' | 'hasNextPage' | 'hasPreviousPage' | 'startCursor' | 'endCursor';

/** How to read the rows of a row-form statement back: a root list's page, or a by-id root field's object. */
export type RowForm = PageRowForm | ObjectRowForm;

/** How to read the rows of a row-form statement back into the root list's connection. */
export interface PageRowForm {
  kind: 'page';
  /** The root list's response key. */
  key: string;
  /** The page size: one row more says `hasNextPage`. */
  first: number;
  hasPreviousPage: boolean;
  /** The response key of the page's `edges` (absent: only `pageInfo` reads the rows). */
  edges?: string;
  /** Each `pageInfo` selected (by response key): its fields, by response key. */
  pageInfo: Map<string, [key: string, field: PageInfoField][]>;
  /** The PageInfo type's name (`__typename`). */
  pageInfoType: string;
  /** The kind of each column of a row (`c0`, `c1`, …). */
  columns: LeafKind[];
  /** The column of each value of the edge's tuple, then of the row's id. */
  values: number[];
}

/**
 * How to read the one row (or none) of a by-id root field (`customer(id:)`) in the row form: its object's tuple values
 * as columns, each sent once (`edgeColumns`), its nested lists text arrays. One JSON document was Q3's form; its
 * nested lists built as JSON tuples cost PostgreSQL more than PostGraphile's text arrays (issue 14 round 9).
 */
export interface ObjectRowForm {
  kind: 'object';
  /** The root field's response key. */
  key: string;
  /** The kind of each column of the row (`c0`, `c1`, …). */
  columns: LeafKind[];
  /** The column of each value of the object's tuple, then of the row's id (null: no such row). */
  values: number[];
}

/** The connection's page as a FROM the row-form statement joins: its columns and the rest of the connection. */
export interface RowPage {
  /** `SELECT <columns> FROM … ORDER BY … LIMIT n`: the page's rows in order. */
  rows: string;
  /** A JSON array of the connection's other values (`totalCount`, `aggregate`, …), in its shape's key order. */
  head: string;
  form: Omit<PageRowForm, 'key'>;
}

/**
 * The columns of one edge (its tuple's values under `context.shape`, then `rowId` for the cursors), named `c0`, `c1`,
 * … in order, each sent once: an edge's cursor, its node's id and its row id are one column, as are a link's presence
 * and its id. `values`: the column of each tuple value.
 */
export function edgeColumns(
  context: { shape: ResultShape; marked: boolean },
  entries: readonly Entry[],
  rowId: string,
): { sql: string; kinds: LeafKind[]; values: number[] } {
  const values = [...tupleValues(context, entries), rowId];
  const valueKinds: LeafKind[] = [...tupleKinds(context.shape), 'text'];
  const columns = new Map<string, number>();
  const kinds: LeafKind[] = [];
  const at = values.map((value, i) => {
    const text = valueText(value, valueKinds[i]!);
    let column = columns.get(text);
    if (column === undefined) {
      column = columns.size;
      columns.set(text, column);
      kinds.push(valueKinds[i]!);
    }
    return column;
  });
  return { sql: [...columns.keys()].map((text, i) => `${text} AS "c${i}"`).join(', '), kinds, values: at };
}

/**
 * The statement of an operation that is one root list in the row form: one row per edge (at least one, with the page's
 * columns null when it is empty), each carrying the connection's head and the plugins switched off, which PostgreSQL
 * computes once (a one-row FROM item, uncorrelated). The page keeps its order: a nested loop from one row reads the
 * page as it comes, and no other join method applies to `ON true`.
 */
export function rowFormStatement(page: RowPage, switchedOff: string): string {
  return `SELECT h."switchedOff", h.head, r.* FROM (SELECT ${switchedOff} AS "switchedOff", ${page.head}::text AS head) h LEFT JOIN LATERAL (${page.rows}) r ON true`;
}

/**
 * The statement of an operation that is one by-id root field in the row form: its row (`row`: `SELECT <columns> FROM
 * … WHERE id = …`), or one row of null columns when there is none, with the plugins switched off.
 */
export function objectRowStatement(row: string, switchedOff: string): string {
  return `SELECT h."switchedOff", r.* FROM (SELECT ${switchedOff} AS "switchedOff") h LEFT JOIN LATERAL (${row}) r ON true`;
}
