import {
  badInput,
  encodeGlobalId,
  type FilterNode,
  type ObjectCatalog,
  type ResolvedObject,
  permittedRows,
} from '@crm/core';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import { searchableFields, searchHighlightSql, searchMatchSql, searchRankSql, searchTerms } from '../engine/search-sql.js';
import { ident, literal, SqlParams } from '../engine/sql-text.js';

/** Most rows a list's `search` narrows to on the Prisma path (the ids are handed to Prisma). */
const MAX_MATCHES = 10_000;

/**
 * A list's `search` as one more filter condition (the list keeps its own order). On the Prisma path the matching ids
 * are read first with the search SQL, then filtered by Prisma: two statements; the SQL engine inlines the same SQL.
 */
export async function searchCondition(catalog: ObjectCatalog, object: ResolvedObject, text: string, ctx: GraphContext): Promise<FilterNode | null> {
  const caller = callerOf(ctx);
  const params = new SqlParams();
  const terms = searchTerms(params, text);
  if (!terms) return null;
  if (!terms.words) return { kind: 'or', items: [] };
  const workspace = params.add(caller.session.workspaceId, 'uuid');
  let n = 0;
  const match = searchMatchSql({ catalog, workspace, nextAlias: () => `r${++n}`, permissions: ctx.permissions }, object, 's', terms);
  const sql = `SELECT s."id"::text AS id FROM ${ident(object.model)} s WHERE ${permittedRows(workspace, object, 's', ctx.permissions)} AND ${match} LIMIT ${MAX_MATCHES + 1}`;
  const rows = await caller.db.$queryRawUnsafe<{ id: string }[]>(sql, ...params.values);
  if (rows.length > MAX_MATCHES) throw badInput(`search: more than ${MAX_MATCHES} matches; add words or a filter`, 'search');
  return { kind: 'compare', field: object.fields.get('id')!, op: 'in', value: rows.map((r) => r.id) };
}

interface SearchHitRow {
  type: string;
  id: string;
  score: number;
  highlight: { field: string; snippet: string } | null;
}

/**
 * `search(query, types, first)`: ranked hits across every searchable object type, as `SearchHit { node score
 * highlight }` (node is the Node union's member), in ONE statement: a UNION ALL of each type's top matches.
 */
export function registerGlobalSearch(builder: Builder, catalog: ObjectCatalog) {
  const types = [...catalog.objects].filter((o) => o.node && o.plural && searchableFields(o).length);
  if (!types.length) return;
  const typeEnum = builder.enumType('SearchableType', { values: types.map((o) => o.name) });
  const Highlight = builder.objectRef<{ field: string; snippet: string }>('SearchHighlight').implement({
    description: 'Which field matched, with the matching words in <b>…</b>.',
    fields: (t) => ({ field: t.exposeString('field'), snippet: t.exposeString('snippet') }),
  });
  const Hit = builder.objectRef<SearchHitRow>('SearchHit').implement({
    fields: (t) => ({
      node: t.node({ description: 'The record (fetch its fields with a fragment on its type).', id: (hit) => hit.id }),
      type: t.field({ type: typeEnum, resolve: (hit) => hit.type as never }),
      score: t.float({ resolve: (hit) => hit.score }),
      highlight: t.field({ type: Highlight, nullable: true, resolve: (hit) => hit.highlight }),
    }),
  });
  builder.queryField('search', (t) =>
    t.field({
      type: [Hit],
      authScopes: { authenticated: true },
      description: 'Ranked hits across record types (full text with stemming, any word order, prefixes and typos).',
      args: {
        query: t.arg.string({ required: true }),
        types: t.arg({ type: [typeEnum], description: 'Only these types. @default every searchable type' }),
        first: t.arg.int({ defaultValue: 20, description: 'At most 100.' }),
      },
      resolve: async (_root, args, ctx: GraphContext) => {
        const first = args.first ?? 20;
        if (first < 1 || first > 100) throw badInput('first: 1 to 100', 'first');
        const caller = callerOf(ctx);
        const params = new SqlParams();
        const terms = searchTerms(params, args.query);
        if (!terms?.words) return [];
        const workspace = params.add(caller.session.workspaceId, 'uuid');
        let n = 0;
        const { permissions } = ctx;
        const context = { catalog, workspace, nextAlias: () => `r${++n}`, permissions };
        const wanted = types.filter((o) => (!args.types?.length || (args.types as string[]).includes(o.name)) && permissions?.can(o, 'read') !== false);
        const parts = wanted.map(
          (o, i) =>
            `(SELECT ${literal(o.name)} AS type, s${i}."id"::text AS id, ${searchRankSql(o, `s${i}`, terms, permissions)}::float8 AS score, ${searchHighlightSql(o, `s${i}`, terms, permissions)} AS highlight
              FROM ${ident(o.model)} s${i} WHERE ${permittedRows(workspace, o, `s${i}`, permissions)} AND ${searchMatchSql(context, o, `s${i}`, terms)}
              ORDER BY 3 DESC, 2 LIMIT ${first})`,
        );
        if (!parts.length) return [];
        const rows = await caller.db.$queryRawUnsafe<SearchHitRow[]>(`SELECT * FROM (${parts.join(' UNION ALL ')}) hits ORDER BY score DESC, type, id LIMIT ${first}`, ...params.values);
        return rows.map((r) => ({ ...r, id: encodeGlobalId(r.type, r.id) }));
      },
    }),
  );
}
