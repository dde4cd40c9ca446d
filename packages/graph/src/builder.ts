import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { badInput, CrmError, hasRole, isCrmError, isUuid } from '@crm/core';
import { type GraphQLSchema, isObjectType } from 'graphql';
import { getDatamodel, type Prisma, type PrismaTypes } from '@crm/db';
import type { GraphContext } from './context.js';
import { survivorOf } from './merged-ids.js';

export interface SchemaTypes {
  Context: GraphContext;
  PrismaTypes: PrismaTypes;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
    Date: { Input: string; Output: string };
    /** Money: a decimal string on the wire, Prisma.Decimal inside. */
    Decimal: { Input: string; Output: Prisma.Decimal | string };
    JSON: { Input: unknown; Output: unknown };
    /** A file sent with the GraphQL multipart request spec (graphql-yoga parses it into a WHATWG File). */
    Upload: { Input: File; Output: never };
  };
  AuthScopes: { authenticated: boolean; member: boolean; admin: boolean };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}

export type Builder = PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>>;

function isNotFound(error: unknown): boolean {
  if (isCrmError(error)) return error.code === 'NOT_FOUND';
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2025';
}

/** Whether `typename` is a type `node(id:)` can load: an object type of the schema implementing Node. */
function isNodeType(schema: GraphQLSchema, typename: string): boolean {
  const type = schema.getType(typename);
  return isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node');
}

/** Maximum page size of every connection (first/last above it is rejected by the gateway). */
export const MAX_PAGE_SIZE = 100;

/** Page size of a connection asked for without `first`/`last`. */
export const DEFAULT_PAGE_SIZE = 20;

/**
 * A fresh builder: each schema is composed anew from the core modules and the enabled plugins, so a plugin that is
 * switched off leaves no trace in it.
 */
export function createBuilder(): Builder {
  return new SchemaBuilder<SchemaTypes>({
    plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin],
    defaultFieldNullability: false,
    scopeAuth: {
      authScopes: (context) => ({
        authenticated: context.session !== null,
        member: context.session !== null && hasRole(context.session, 'MEMBER'),
        admin: context.session !== null && hasRole(context.session, 'ADMIN'),
      }),
      unauthorizedError: (_parent, context) =>
        context.session
          ? new CrmError('FORBIDDEN', 'Your API key does not allow this')
          : new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>'),
    },
    prisma: {
      client: (context) => {
        if (!context.db) throw new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>');
        return context.db;
      },
      dmmf: getDatamodel(),
      exposeDescriptions: false,
      filterConnectionTotalCount: true,
      maxConnectionSize: MAX_PAGE_SIZE,
      defaultConnectionSize: DEFAULT_PAGE_SIZE,
      onUnusedQuery: null,
    },
    relay: {
      clientMutationId: 'omit',
      cursorType: 'String',
      edgesFieldOptions: { nullable: false },
      nodeFieldOptions: { nullable: false },
      nodeQueryOptions: {
        nullable: true,
        description: 'Any entity by its global id; null when it does not exist or belongs to another workspace.',
        // The prisma plugin loads nodes with findUniqueOrThrow; a missing (or foreign) row is null, per Relay.
        // A merged-away customer or company answers with the record it was merged into (merged-ids.ts).
        resolve: async (_root, args, context, info, resolveNode) => {
          // A well-formed global id can still name no Node type, or carry a row id that is not a UUID: the
          // client's mistake, said before anything reaches the database.
          if (!isNodeType(info.schema, args.id.typename) || !isUuid(args.id.id)) throw badInput('id: not a valid id', 'id');
          const orNull = (found: unknown) =>
            Promise.resolve(found).catch((error: unknown) => {
              if (isNotFound(error)) return null;
              throw error;
            });
          const found = await orNull(resolveNode(args.id));
          if (found != null) return found;
          const survivor = await survivorOf(context, args.id);
          if (!survivor) return null;
          // Pothos' `resolveNode` loads `args.id` whatever it is given: point the arguments at the survivor.
          (args as { id: typeof survivor }).id = survivor;
          return orNull(resolveNode(survivor));
        },
      },
      nodesQueryOptions: false,
    },
  });
}
