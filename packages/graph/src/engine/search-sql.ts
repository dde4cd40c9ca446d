import { createHash } from 'node:crypto';
import {
  badInput,
  customValueSql,
  type ObjectCatalog,
  type Permissions,
  type ResolvedField,
  type ResolvedObject,
  permittedRows,
  visibleRows,
} from '@crm/core';
import { column, ident, literal, type SqlParams, valueSql } from './sql-text.js';

/**
 * Full-text search over an object's declared searchable fields: a weighted `tsvector` (English stemming, word order
 * free, every word a prefix) OR trigram word similarity on the A-weight fields (typos, partial words). The document
 * expression is the same text as the GIN expression index the migration `declared_search` creates per table, so
 * PostgreSQL uses the index; change both together (`searchIndexSql` prints it). A custom object's indexes are built
 * at run time from the very same functions (`customObjectSearchIndexes`).
 */

/** The text search configuration: English stemming (names are not stemmed away by it in practice). */
const config = `'english'::regconfig`;

/** A searchable field's text on `alias`: its column, or a custom field's value in JSONB (custom objects' text fields). */
const textSql = (alias: string, field: ResolvedField) => valueSql(alias, field);

export const searchableFields = (object: ResolvedObject): ResolvedField[] => [...object.fields.values()].filter((f) => f.search);

/**
 * The searchable fields a caller reads: a hidden field is not searched (nor ranked or highlighted), so a search
 * cannot tell what it holds. With every field readable the document is the indexed one.
 */
const searchedFields = (object: ResolvedObject, permissions?: Permissions | null): ResolvedField[] =>
  permissions ? searchableFields(object).filter((f) => permissions.canReadField(f)) : searchableFields(object);

/**
 * Fields trigram similarity looks at: the A-weight text ones (names, titles, emails), custom ones included. Those of
 * the declared document and a custom object's have a trigram index each; a core or plugin object's custom ones are
 * found through one trigram index over all its string values ({@link customValuesTextSql}).
 */
const trigramFields = (object: ResolvedObject, permissions?: Permissions | null) =>
  searchedFields(object, permissions).filter((f) => f.search === 'A' && f.kind === 'string');

/** A custom field of a table that is not shared (a core or plugin object): matched through its JSONB column's indexes. */
const inCustomValues = (object: ResolvedObject, f: ResolvedField): boolean => Boolean(f.stored) && !object.sharedTable;

/**
 * The weighted document of some fields (default: every searched field the caller reads): what ranks and highlights a
 * match. The match itself is {@link ownMatchSql}'s, through the indexed documents.
 */
export function searchDocumentSql(object: ResolvedObject, alias: string, permissions?: Permissions | null, fields = searchedFields(object, permissions)): string {
  if (!fields.length) return `''::tsvector`;
  return fields
    .map((f) => `setweight(to_tsvector(${config}, coalesce(${textSql(alias, f)}, '')), '${f.search}')`)
    .join(' || ');
}

/**
 * A core or plugin object's custom text fields are searched apart from its declared ones, whose document the
 * migration indexes as declared (it cannot hold a workspace's fields). Their values are in one JSONB column, and two
 * GIN indexes per such table (migration `custom_values_search` and `custom_values_trigram`, and the plugins' own for
 * their objects) hold every string value of it: `jsonb_to_tsvector` with the same configuration, and the trigrams of
 * the values' text. Those hold the words of every text field, so matching them first, then the exact document (or the
 * similarity to each A-weight field) of the fields the caller reads, is answered from the indexes and never finds a
 * hidden field's or another type's words. (A custom object's are indexed per field at run time:
 * `customObjectSearchIndexes`.)
 */
function customValuesMatchSql(object: ResolvedObject, alias: string, terms: SearchTerms, permissions?: Permissions | null): string | null {
  const fields = searchedFields(object, permissions).filter((f) => inCustomValues(object, f));
  if (!fields.length) return null;
  const json = fields[0]!.stored!.json;
  const words = `(${customValuesDocumentSql(alias, json)} @@ ${terms.tsQuery} AND (${searchDocumentSql(object, alias, permissions, fields)}) @@ ${terms.tsQuery})`;
  const typos = fields.filter((f) => f.search === 'A' && f.kind === 'string').map((f) => `${terms.text} <% ${textSql(alias, f)}`);
  return typos.length ? `(${words} OR (${terms.text} <% ${customValuesTextSql(alias, json)} AND (${typos.join(' OR ')})))` : words;
}

/** Every string value of a JSONB column as one document: the expression of the `custom_values_search` indexes. */
export const customValuesDocumentSql = (alias: string, json: string): string => `jsonb_to_tsvector(${config}, ${column(alias, json)}, '["string"]'::jsonb)`;

/**
 * Every string value of a JSONB column as one text (a JSON array's: quotes and commas are no word characters to
 * pg_trgm): the expression of the `custom_values_trigram` indexes. A value's words are words of it, so a value similar
 * to the query makes this similar too, and the index finds the row; the exact field is checked on what it finds.
 */
export const customValuesTextSql = (alias: string, json: string): string =>
  `(jsonb_path_query_array(${column(alias, json)}, '$.* ? (@.type() == "string")'::jsonpath))::text`;

/** The fields of the declared document (the migration's index): a core object's custom fields are matched apart. */
const declaredDocumentFields = (object: ResolvedObject, permissions?: Permissions | null) =>
  searchedFields(object, permissions).filter((f) => !inCustomValues(object, f));

/** The words of a query as a prefix `tsquery` text (`'ada':* & 'audit':*`), or null when it has no word. */
export function tsQueryText(query: string): string | null {
  const words = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}@._-]+/u)
    .map((w) => w.replace(/^[._-]+|[._-]+$/g, ''))
    .filter(Boolean)
    .slice(0, 10);
  return words.length ? words.map((w) => `${literal(w)}:*`).join(' & ') : null;
}

export interface SearchTerms {
  /** Placeholder of the tsquery. */
  tsQuery: string;
  /** Placeholder of the raw text (trigram similarity). */
  text: string;
  /** False when the text has no word (only punctuation such as `%`): it matches nothing. */
  words: boolean;
}

/** Validates a search text and binds its parameters; null for a blank text (no search). */
export function searchTerms(params: SqlParams, raw: string): SearchTerms | null {
  const text = raw.trim();
  if (text.length > 200) throw badInput('search: at most 200 characters', 'search');
  if (text.includes('\u0000')) throw badInput('search: contains a NUL character', 'search');
  if (!text) return null;
  const ts = tsQueryText(text);
  if (!ts) return { tsQuery: '', text: '', words: false };
  // The text is bound on first use: only trigram matching reads it, and an object without trigram fields (or whose
  // trigram fields the caller may not read) would leave an unused parameter, which PostgreSQL refuses.
  let bound: string | null = null;
  return {
    tsQuery: `to_tsquery(${config}, ${params.add(ts, 'text')})`,
    get text() {
      return (bound ??= params.add(text, 'text'));
    },
    words: true,
  };
}

/** What matching through relations needs: the declarations, the workspace placeholder, fresh aliases. */
export interface SearchContext {
  catalog: ObjectCatalog;
  workspace: string;
  nextAlias(): string;
  /** The caller's permissions: hidden fields are not searched, related rows it may not see do not match. */
  permissions?: Permissions | null;
}

/** The row's own fields match (the indexed document, or trigram similarity on the A-weight fields). */
function ownMatchSql(object: ResolvedObject, alias: string, terms: SearchTerms, permissions?: Permissions | null): string {
  const trigram = trigramFields(object, permissions)
    .filter((f) => !inCustomValues(object, f))
    .map((f) => `${terms.text} <% ${textSql(alias, f)}`);
  const custom = customValuesMatchSql(object, alias, terms, permissions);
  const others = [...trigram, ...(custom ? [custom] : [])];
  return `(${searchDocumentSql(object, alias, permissions, declaredDocumentFields(object, permissions))}) @@ ${terms.tsQuery}${others.length ? ` OR ${others.join(' OR ')}` : ''}`;
}

/**
 * The condition "the row matches the search" on `alias`: its own fields, or (`searchThrough`) a related row's. Written
 * as `id IN (… UNION …)` of one arm per table so that each arm is answered from that table's GIN indexes (a bitmap OR
 * of the full-text and trigram indexes): as one OR over the outer row, PostgreSQL walked the list in its order and
 * computed every row's document until it had a page (tens of milliseconds on 10,000 customers, all of them for a rare
 * word).
 */
export function searchMatchSql(context: SearchContext, object: ResolvedObject, alias: string, terms: SearchTerms): string {
  if (!terms.words) return 'FALSE';
  const own = context.nextAlias();
  const arms = [`SELECT ${column(own, 'id')} FROM ${ident(object.model)} ${own} WHERE ${visibleRows(context.workspace, object, own)} AND (${ownMatchSql(object, own, terms, context.permissions)})`];
  for (const name of object.searchThrough) {
    const relation = object.relations.get(name)!;
    const target = context.catalog.target(relation);
    const [r, t] = [context.nextAlias(), context.nextAlias()];
    arms.push(
      `SELECT ${column(r, 'id')} FROM ${ident(target.model)} ${t} JOIN ${ident(object.model)} ${r} ON ${column(r, object.fields.get(relation.key)!.column)} = ${column(t, 'id')}` +
        ` WHERE ${permittedRows(context.workspace, target, t, context.permissions)} AND (${ownMatchSql(target, t, terms, context.permissions)}) AND ${visibleRows(context.workspace, object, r)}`,
    );
  }
  return `${column(alias, 'id')} IN (${arms.join(' UNION ')})`;
}

/** A relevance score: the text rank plus the best trigram word similarity. */
export function searchRankSql(object: ResolvedObject, alias: string, terms: SearchTerms, permissions?: Permissions | null): string {
  const similarity = trigramFields(object, permissions).map((f) => `coalesce(word_similarity(${terms.text}, ${textSql(alias, f)}), 0)`);
  const rank = `ts_rank(${searchDocumentSql(object, alias, permissions)}, ${terms.tsQuery})`;
  return similarity.length ? `(${rank} + greatest(${similarity.join(', ')}))` : rank;
}

/** Which searchable field matched, with the match highlighted (`<b>…</b>`), as a JSON object. */
export function searchHighlightSql(object: ResolvedObject, alias: string, terms: SearchTerms, permissions?: Permissions | null): string {
  const fields = searchedFields(object, permissions);
  const cases = fields.map(
    (f) =>
      `WHEN to_tsvector(${config}, coalesce(${textSql(alias, f)}, '')) @@ ${terms.tsQuery} THEN json_build_object('field', ${literal(f.name)}, 'snippet', ts_headline(${config}, ${textSql(alias, f)}, ${terms.tsQuery}, 'StartSel=<b>, StopSel=</b>, MaxFragments=1'))`,
  );
  if (!fields.length) return 'NULL';
  // A typo matched by trigrams: the field it is similar to (the first A-weight field when none is, as before).
  const similar = trigramFields(object, permissions);
  const typos = similar.map((f) => `WHEN ${terms.text} <% ${textSql(alias, f)} THEN json_build_object('field', ${literal(f.name)}, 'snippet', ${textSql(alias, f)})`);
  const best = similar[0];
  const fallback = best ? `json_build_object('field', ${literal(best.name)}, 'snippet', ${textSql(alias, best)})` : 'NULL';
  return `CASE ${[...cases, ...typos].join(' ')} ELSE ${fallback} END`;
}

/** The GIN expression index of an object's search document (for migrations). */
export function searchIndexSql(object: ResolvedObject): string {
  const document = searchableFields(object)
    .map((f) => `setweight(to_tsvector(${config}, coalesce("${f.column}", '')), '${f.search}')`)
    .join(' || ');
  return `CREATE INDEX IF NOT EXISTS "${object.model}_search_idx" ON "${object.model}" USING gin ((${document}));`;
}

/** A custom object's search indexes are named `cos_<object id>_<digest of the definition>`: one prefix per object. */
export const customObjectSearchIndexPrefix = (objectId: string): string => `cos_${objectId.replace(/-/g, '')}_`;

/**
 * The search indexes of a custom object (one with a `sharedTable`) as `name → definition` (what follows `CREATE INDEX
 * name`): a GIN index on the search document, written by {@link searchDocumentSql} itself so that searches use it, and
 * a trigram index per A-weight text field, both partial on the object's rows (its id is in the statements the engine
 * writes, a literal, so the planner matches the predicate under any plan). The name carries a digest of the
 * definition: when the object's text fields change, the wanted names change, and the old indexes are dropped.
 */
export function customObjectSearchIndexes(object: ResolvedObject): Map<string, string> {
  const indexes = new Map<string, string>();
  if (!object.sharedTable) return indexes;
  const table = ident(object.model);
  const rows = `WHERE ${ident(object.sharedTable.column)} = ${literal(object.sharedTable.value)}::uuid`;
  const definitions = [
    ...(searchableFields(object).length ? [`ON ${table} USING gin ((${searchDocumentSql(object, table)})) ${rows}`] : []),
    ...trigramFields(object).map((f) => `ON ${table} USING gin (${customValueSql(f.kind, f.stored!.key)} gin_trgm_ops) ${rows}`),
  ];
  const prefix = customObjectSearchIndexPrefix(object.sharedTable.value);
  for (const definition of definitions) indexes.set(`${prefix}${createHash('sha256').update(definition).digest('hex').slice(0, 12)}`, definition);
  return indexes;
}
