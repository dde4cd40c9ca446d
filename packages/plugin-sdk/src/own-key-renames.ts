// `rows.renameKeys`: keys of a JSON column renamed in place in every row of the workspace that holds them (a custom
// field's rename reaching the snapshots a plugin keeps by field name: the workflows' runs under way). One statement
// whatever the number of rows, and the new JSON is computed by the database from each row as the UPDATE finds it —
// not read into the plugin and written back — so 100,000 rows cost no round trip each, and a transaction that changed
// another key of a row meanwhile keeps its change (the row's lock orders the two; the later one re-reads the row).
import { workspaceFilter } from '@crm/db';
import { PluginSqlError } from './plugin-sql.js';

/** Keys of `column` (a JSON column of the plugin's model `update`) renamed where they are found. */
export interface OwnKeyRename {
  update: string;
  column: string;
  /** The objects whose keys are renamed, by path in the column (`['record']`, `['event', 'payload', 'changes']`); none inside another. */
  at: readonly (readonly string[])[];
  /** Old key → new key. */
  renames: ReadonlyMap<string, string>;
  /** Only rows whose column is one of its values (`{ status: ['RUNNING', 'WAITING'] }`), each compared in the column's own type. */
  where?: Readonly<Record<string, readonly string[]>>;
}

interface ModelColumns {
  table: string;
  columns: ReadonlySet<string>;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const inside = (a: readonly string[], b: readonly string[]) => a.length <= b.length && a.every((part, i) => part === b[i]);

/** The statement for `rename` (`$1` the workspace): answers `n`, the rows it changed. */
export function buildKeyRename(rename: OwnKeyRename, workspaceId: string, own: ReadonlyMap<string, ModelColumns>) {
  const found = own.get(rename.update);
  if (!found) throw new PluginSqlError(`rows: "${rename.update}" is not one of this plugin's models (a plugin writes its own rows; the core's change through commands)`);
  for (const name of [rename.column, ...Object.keys(rename.where ?? {})]) if (!found.columns.has(name)) throw new PluginSqlError(`rows: ${rename.update} has no column "${name}"`);
  if (!rename.at.length || rename.at.some((path, i) => !path.length || rename.at.some((other, j) => i !== j && inside(path, other)))) {
    throw new PluginSqlError('rows.renameKeys: `at` names paths, none empty and none inside another');
  }
  const t = quote(found.table);
  const c = `t.${quote(rename.column)}`;
  const params: unknown[] = [workspaceId, JSON.stringify(Object.fromEntries(rename.renames)), [...rename.renames.keys()]];
  const param = (value: unknown) => `$${params.push(value)}`;
  // Each path's object rebuilt with its keys renamed (from the row's own value: the paths are disjoint, so each reads
  // what the others leave alone); `create_missing` false: a row without the path is left as it is.
  let value = c;
  const holds: string[] = [];
  for (const path of rename.at) {
    const p = `${param([...path])}::text[]`;
    const renamed = `(SELECT coalesce(jsonb_object_agg(coalesce(r.n, e.k), e.v), '{}'::jsonb) FROM jsonb_each(${c} #> ${p}) AS e(k, v) LEFT JOIN jsonb_each_text($2::jsonb) AS r(o, n) ON r.o = e.k)`;
    value = `jsonb_set(${value}, ${p}, CASE WHEN jsonb_typeof(${c} #> ${p}) = 'object' THEN ${renamed} ELSE coalesce(${c} #> ${p}, 'null'::jsonb) END, false)`;
    holds.push(`(jsonb_typeof(${c} #> ${p}) = 'object' AND jsonb_exists_any(${c} #> ${p}, $3::text[]))`);
  }
  // A filter's values read back as rows of the table, so each compares in its column's own type (an enum's index).
  const filters = Object.entries(rename.where ?? {}).map(([column, values]) => {
    const rows = param(JSON.stringify(values.map((v) => ({ [column]: v }))));
    return `t.${quote(column)} = ANY(ARRAY(SELECT k.${quote(column)} FROM jsonb_populate_recordset(NULL::${t}, ${rows}::jsonb) AS k))`;
  });
  const text = `WITH w AS (UPDATE ${t} AS t SET ${quote(rename.column)} = ${value}
    WHERE ${[workspaceFilter('t."workspaceId"', '$1::uuid'), ...filters, `(${holds.join(' OR ')})`].join(' AND ')} RETURNING t.id)
  SELECT count(*)::int AS n FROM w`;
  return { text, params };
}
