import { getDatamodel } from '@crm/db';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values.js';
import { decodeBase64 } from '@pothos/core';
import { customerConditions, customerOrder, type RootListArgs } from './customer-list.js';
import { decline, NotProjectable } from './not-projectable.js';
import { objectTypeOf, readModelOf } from './read-model.js';
import { connectionSql, pageSize, type RenderContext, visibleRows } from './render.js';
import { collectFields } from './selection.js';
import { column, literal, type OrderTerm, SqlParams } from './sql-text.js';

/** One statement that returns the operation's whole `data` as JSON text. */
export interface SqlProjection {
  sql: string;
  params: unknown[];
}

export interface SqlProjector {
  /**
   * The statement answering `document` for a caller of `workspaceId`, or null when the operation is not one the
   * projection answers (then execute it as usual).
   */
  project(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | undefined, workspaceId: string): SqlProjection | null;
}

interface RootList {
  conditions(args: RootListArgs, params: SqlParams): (alias: string) => string[];
  order(args: RootListArgs): OrderTerm[];
}

/** Root list fields the projection answers. The hot paths only: everything else is Pothos. */
const rootLists: Record<string, RootList> = {
  customers: { conditions: customerConditions, order: customerOrder },
};

export interface SqlProjectorOptions {
  defaultPageSize: number;
  maxPageSize: number;
}

function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName) ?? null;
  return operations.length === 1 ? operations[0]! : null;
}

/** Decodes a Pothos prisma cursor over `id` (`GPC:S:<uuid>`); anything else is left to Pothos to reject. */
function cursorId(cursor: unknown): string {
  try {
    const decoded = decodeBase64(String(cursor));
    const id = decoded.startsWith('GPC:S:') ? decoded.slice(6) : '';
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return id;
  } catch {
    // falls through
  }
  return decline('bad cursor', false);
}

/**
 * Rows after the cursor row in `order` (which ends on the unique `id`), as Prisma's `cursor` + `skip: 1` returns
 * them; none when the cursor row does not exist (in this workspace).
 */
function afterCursor(alias: string, table: string, order: readonly OrderTerm[], id: string, context: RenderContext): string {
  const idParam = context.params.add(id, 'uuid');
  const cursorValue = (name: string) => {
    const c = context.nextAlias();
    return `(SELECT ${column(c, name)} FROM "${table}" ${c} WHERE ${c}."id" = ${idParam} AND ${c}."workspaceId" = ${context.workspace})`;
  };
  const alternatives = order.map((term, i) => {
    const equal = order.slice(0, i).map((t) => `${column(alias, t.column)} = ${cursorValue(t.column)}`);
    const beyond = `${column(alias, term.column)} ${term.direction === 'asc' ? '>' : '<'} ${cursorValue(term.column)}`;
    return `(${[...equal, beyond].join(' AND ')})`;
  });
  return `(${alternatives.join(' OR ')})`;
}

/**
 * Compiles whole read operations of the hot list fields into ONE SQL statement that builds the response's JSON in
 * PostgreSQL, with ids, cursors, money and times already formatted as the GraphQL scalars format them. Node then
 * parses and sends that JSON: no Prisma row mapping, no per-field resolvers, no per-request query planning. This is
 * how the issue-7 list benchmark is answered (docs/performance.md). What it does not know, it declines.
 */
export function createSqlProjector(schema: GraphQLSchema, options: SqlProjectorOptions): SqlProjector {
  const model = readModelOf(schema, getDatamodel().datamodel);
  const queryType = schema.getQueryType();
  const declined = new WeakMap<DocumentNode, Set<string>>();

  function compile(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>, variables: Record<string, unknown>, workspaceId: string): SqlProjection {
    if (operation.operation !== 'query' || !queryType) decline('not a query');
    const params = new SqlParams();
    let aliases = 0;
    const context: RenderContext = {
      schema,
      model,
      params,
      fragments,
      variables,
      workspace: params.add(workspaceId, 'uuid'),
      defaultPageSize: options.defaultPageSize,
      maxPageSize: options.maxPageSize,
      nextAlias: () => `t${++aliases}`,
    };
    const parts: string[] = [];
    for (const [key, nodes] of collectFields(queryType, [operation.selectionSet], context)) {
      const name = nodes[0]!.name.value;
      parts.push(literal(key));
      if (name === '__typename') {
        parts.push(literal(queryType.name));
        continue;
      }
      const list = rootLists[name] ?? decline(`Query.${name}`);
      const field = queryType.getFields()[name] ?? decline(`Query.${name}`);
      const connection = objectTypeOf(field) ?? decline(`Query.${name}`);
      const edge = objectTypeOf(connection.getFields().edges ?? decline('edges'))!;
      const nodeType = objectTypeOf(edge.getFields().node ?? decline('node'))!;
      const type = model.get(nodeType.name) ?? decline(`${nodeType.name}`);
      const args = getArgumentValues(field, nodes[0]!, variables);
      if (args.before != null || args.last != null) decline('backward paging', false);
      const conditions = list.conditions(args as RootListArgs, params);
      const orderBy = list.order(args as RootListArgs);
      let after: ((alias: string) => string) | null = null;
      if (args.after != null) {
        if (orderBy.some((t) => type.nullable.has(t.column))) decline('cursor over a nullable sort column', false);
        const id = cursorId(args.after);
        after = (alias) => afterCursor(alias, type.table, orderBy, id, context);
      }
      const where = (alias: string) => [...conditions(alias), ...visibleRows(context, alias, type)];
      parts.push(
        connectionSql(context, connection, nodes, {
          type,
          where: (alias) => (after ? [...where(alias), after(alias)] : where(alias)),
          orderBy,
          first: pageSize(context, args.first),
          hasPreviousPage: args.after != null,
          totalCount: true,
          countWhere: where,
        }),
      );
    }
    return { sql: `SELECT json_build_object(${parts.join(', ')})::text AS data`, params: params.values };
  }

  return {
    project(document, operationName, rawVariables, workspaceId) {
      const cacheKey = operationName ?? '';
      if (declined.get(document)?.has(cacheKey)) return null;
      const operation = operationOf(document, operationName);
      if (!operation) return null;
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
      if (coerced.errors) return null;
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
      try {
        return compile(operation, fragments, coerced.coerced, workspaceId);
      } catch (error) {
        if (!(error instanceof NotProjectable)) throw error;
        if (error.structural) {
          const set = declined.get(document) ?? new Set<string>();
          set.add(cacheKey);
          declined.set(document, set);
        }
        return null;
      }
    },
  };
}
