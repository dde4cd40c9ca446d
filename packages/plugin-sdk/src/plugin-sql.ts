// `sql`: one read-only SQL statement, written as a tagged template, that can only see the caller's workspace. For the
// figures and rankings that belong in one statement (window functions, per-group top-k, aggregates over joins) and
// that the Prisma client cannot express in one query.
//
// How the scope holds: every table the statement names is shadowed by a common table expression of the same name,
// `WITH "T" AS NOT MATERIALIZED (SELECT * FROM "T" WHERE "workspaceId" = $1)`, so a reference to "T" anywhere in
// the statement (subqueries included) reads the workspace's rows only; interpolated values are always bound
// parameters. Run on behalf of an API key, each shadow also applies the key's permissions (tableNarrowing): no rows of
// an object it does not read, its own rows only under "own records only", hidden columns null, hidden custom values
// left out. A scanner refuses what would get around the shadowing or is not a read: schema-qualified names,
// another plugin's tables, catalog and file functions, dynamic SQL, comments, several statements, writes and locks.
// It guards against mistakes; it is not a sandbox (plugin code runs in the gateway's process).
import { CrmError, type Permissions, type TableNarrowing, tableNarrowing } from '@crm/core';
import { queryRawIn } from '@crm/db';
import type { TableAccess } from './table-access.js';

/** A tagged template that runs one read-only statement in the workspace: ``await sql<Row>`SELECT …` ``. */
export interface PluginSql {
  <Row = Record<string, unknown>>(strings: TemplateStringsArray, ...values: readonly unknown[]): Promise<Row[]>;
  /** The workspace every table of the statement is narrowed to. */
  readonly workspaceId: string;
}

/** What runs the statement: the workspace-scoped client or a command's transaction. */
export interface RawQueryRunner {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/**
 * A statement or write refused before it was sent: a programming error in the plugin, not the client's. It fails
 * its transaction and reaches the client as `PLUGIN_FAILED` with this message (not a masked internal error), so the
 * plugin's author sees what was refused.
 */
export class PluginSqlError extends CrmError {
  override name = 'PluginSqlError';
  /** `plugin`: the plugin whose code was refused (`extensions.plugin`, as every PLUGIN_FAILED has). */
  constructor(message: string, plugin?: string) {
    super('PLUGIN_FAILED', message, undefined, plugin ? { plugin } : undefined);
  }
}

/** `work`, with a refusal it throws attributed to `plugin` (the refusals are made where the plugin is not known). */
export async function attributedTo<T>(plugin: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PluginSqlError && !error.extensions) throw new PluginSqlError(error.message, plugin);
    throw error;
  }
}

const WRITES = new Set([
  'insert', 'update', 'delete', 'merge', 'truncate', 'alter', 'drop', 'create', 'grant', 'revoke', 'copy', 'call', 'do',
  'vacuum', 'analyze', 'lock', 'set', 'reset', 'listen', 'notify', 'refresh', 'cluster', 'reindex', 'prepare',
  'execute', 'deallocate', 'discard', 'share',
]);
/** Names that reach outside the workspace's tables: schemas, the catalog, files, settings, SQL run from a string. */
const OUTSIDE = /^(?:pg_|lo_|dblink|_|(?:query|cursor|table|schema|database)_to_xml)|^(?:public|information_schema|set_config|current_setting)$/;

interface Scanned {
  /** Quoted identifiers and whether a `.` precedes them (a qualified name). */
  quoted: { name: string; qualified: boolean }[];
  /** Unquoted words, lower-cased (keywords, functions, aliases, columns). */
  words: string[];
}

/** Tokenises just enough of the statement's literal text: strings, quoted identifiers, words, placeholders. */
function scan(text: string): Scanned {
  const quoted: Scanned['quoted'] = [];
  const words: string[] = [];
  const refuse = (what: string) => {
    throw new PluginSqlError(`sql: ${what} is not allowed in a plugin's statement`);
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      if (/[A-Za-z0-9_]$/.test(text.slice(0, i))) refuse('a prefixed string literal (E\'…\', U&\'…\')');
      for (i++; i < text.length; i++) {
        if (text[i] === "'" && text[i + 1] === "'") i++;
        else if (text[i] === "'") break;
      }
      if (i >= text.length) refuse('an unterminated string literal');
      i++;
    } else if (c === '"') {
      let name = '';
      for (i++; i < text.length; i++) {
        if (text[i] === '"' && text[i + 1] === '"') name += text[++i];
        else if (text[i] === '"') break;
        else name += text[i];
      }
      if (i >= text.length) refuse('an unterminated quoted identifier');
      const before = text.slice(0, i - name.length - 1).trimEnd();
      quoted.push({ name, qualified: before.endsWith('.') });
      i++;
    } else if (text.startsWith('--', i) || text.startsWith('/*', i)) {
      refuse('a comment');
    } else if (c === ';') {
      refuse('";" (one statement only)');
    } else if (c === '$') {
      const digits = /^\$\d+/.exec(text.slice(i));
      if (!digits) refuse('dollar quoting');
      i += digits![0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i))![0];
      words.push(word.toLowerCase());
      i += word.length;
    } else {
      i++;
    }
  }
  return { quoted, words };
}

/** Checks the statement's literal parts and returns the tables it reads (to be shadowed). */
export function checkPluginStatement(parts: readonly string[], access: TableAccess): { tables: string[]; startsWithWith: boolean } {
  // `$0` stands for every interpolated value while scanning: values are bound, never part of the text.
  const { quoted, words } = scan(parts.join('$0'));
  const first = words[0];
  if (first !== 'select' && first !== 'with') throw new PluginSqlError('sql: a plugin statement is one SELECT (or WITH … SELECT)');
  if (first === 'with' && words[1] === 'recursive') throw new PluginSqlError('sql: WITH RECURSIVE is not supported in a plugin statement');
  for (const word of words) {
    if (WRITES.has(word)) throw new PluginSqlError(`sql: "${word.toUpperCase()}" is not allowed: plugin statements only read (write through the Prisma client)`);
    if (OUTSIDE.test(word)) throw new PluginSqlError(`sql: "${word}" reaches outside the workspace's tables`);
  }
  const tables = new Set<string>();
  for (const { name, qualified } of quoted) {
    if (OUTSIDE.test(name.toLowerCase())) throw new PluginSqlError(`sql: "${name}" reaches outside the workspace's tables`);
    if (access.readable.has(name)) {
      if (qualified) throw new PluginSqlError(`sql: write "${name}" without a schema: a qualified name would bypass the workspace scope`);
      tables.add(name);
    } else if (access.known.has(name)) {
      throw new PluginSqlError(`sql: "${name}" is another plugin's table (a plugin reads the core's tables and its own)`);
    }
  }
  return { tables: [...tables].sort(), startsWithWith: first === 'with' };
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** How the caller's permissions narrow a table (null: read whole). */
export type Narrowing = (table: string) => TableNarrowing | null;

/**
 * One shadow's body: the workspace's rows of `table`, narrowed. Hidden columns are nulled through the row's JSON
 * (`jsonb_populate_record` over the table's own row type keeps every column and its type; the lateral call runs once
 * per row).
 */
function shadowBody(table: string, narrowing: TableNarrowing | null, param: (value: unknown) => string): string {
  const t = quote(table);
  const conditions = [`${t}.${table === 'Workspace' ? '"id"' : '"workspaceId"'} = $1::uuid`];
  if (narrowing?.none) conditions.push('false');
  else if (narrowing?.owner) conditions.push(`${t}.${quote(narrowing.owner.column)} = ${param(narrowing.owner.userId)}::uuid`);
  const where = conditions.join(' AND ');
  if (!narrowing || (!narrowing.hiddenColumns.length && !narrowing.hiddenCustomKeys)) return `SELECT * FROM ${t} WHERE ${where}`;
  let json = `to_jsonb(${t}.*)`;
  if (narrowing.hiddenColumns.length) json = `(${json} - ${param(narrowing.hiddenColumns)}::text[])`;
  const custom = narrowing.hiddenCustomKeys;
  if (custom) json = `(${json} || jsonb_build_object(${param(custom.json)}::text, ${t}.${quote(custom.json)} - ${param(custom.keys)}::text[]))`;
  return `SELECT narrowed.* FROM ${t} CROSS JOIN LATERAL jsonb_populate_record(NULL::${t}, ${json}) AS narrowed WHERE ${where}`;
}

/**
 * The statement as sent: the shadowing expressions first (workspace id is `$1`), then the plugin's text (its values
 * `$2`…), then the narrowing's values.
 */
export function buildPluginStatement(parts: readonly string[], values: readonly unknown[], workspaceId: string, access: TableAccess, narrowing?: Narrowing) {
  const { tables, startsWithWith } = checkPluginStatement(parts, access);
  const offset = tables.length ? 1 : 0;
  let text = parts[0]!;
  for (let i = 1; i < parts.length; i++) text += `$${i + offset}${parts[i]}`;
  const params = values.map((v) => (v instanceof Date ? v.toISOString() : v));
  if (!tables.length) return { text, params };
  const extra: unknown[] = [];
  const param = (value: unknown) => `$${1 + params.length + extra.push(value)}`;
  const shadows = tables.map((t) => `${quote(t)} AS NOT MATERIALIZED (${shadowBody(t, narrowing?.(t) ?? null, param)})`).join(',\n  ');
  // A statement of its own WITH continues the list: `WITH <shadows>, <its expressions> SELECT …`.
  const body = startsWithWith ? `,\n  ${text.trimStart().slice(4)}` : `\n${text}`;
  return { text: `WITH ${shadows}${body}`, params: [workspaceId, ...params, ...extra] };
}

/**
 * The `sql` tag for one workspace, running on `runner` (a scoped client, or a command's transaction); with an API
 * key's `permissions` (a request's, a command's), every table it reads is narrowed by them.
 */
export function createPluginSql(pluginId: string, runner: RawQueryRunner, workspaceId: string, access: () => TableAccess, permissions?: Permissions | null): PluginSql {
  const narrowing: Narrowing | undefined = permissions ? (table) => tableNarrowing(permissions, table) : undefined;
  const sql = <Row,>(strings: TemplateStringsArray, ...values: readonly unknown[]): Promise<Row[]> =>
    attributedTo(pluginId, async () => {
      const { text, params } = buildPluginStatement(strings, values, workspaceId, access(), narrowing);
      // On the transaction's own connection when it is a command's (not through Prisma's client: @crm/db queryRawIn).
      return queryRawIn<Row>(runner, text, ...params);
    });
  return Object.assign(sql, { workspaceId }) as PluginSql;
}
