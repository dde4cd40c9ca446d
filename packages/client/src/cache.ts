// The normalized cache (graphcache) the dashboard relies on: schema-aware, Relay pages merged into one list,
// lists refreshed after the core mutations, and an optimistic deal move that graphcache rolls back on error.
import { type Cache, cacheExchange, type CacheExchangeOpts, type KeyingConfig } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import type { Exchange } from '@urql/core';
import { minifiedSchema } from './generated/schema.js';

type Schema = NonNullable<CacheExchangeOpts['schema']>;
type Variables = Record<string, unknown>;

/** Object types without an `id` (connections, payloads, figures) are embedded in their parent, not normalized. */
function keysForUnidentifiedTypes(): KeyingConfig {
  const keys: KeyingConfig = {};
  const roots = new Set(['Query', 'Mutation', 'Subscription']);
  for (const type of minifiedSchema.__schema.types) {
    if (type.kind !== 'OBJECT' || roots.has(type.name)) continue;
    if (!('fields' in type) || !type.fields.some((field: { name: string }) => field.name === 'id')) keys[type.name] = () => null;
  }
  return keys;
}

/** Invalidates every cached variant (any arguments) of `entity.field`, so queries that read it refetch. */
function invalidateField(cache: Cache, entity: string | { __typename: string; id: string }, field: string) {
  const key = typeof entity === 'string' ? entity : cache.keyOfEntity(entity);
  if (!key) return;
  for (const info of cache.inspectFields(key)) if (info.fieldName === field) cache.invalidate(key, field, info.arguments ?? undefined);
}

const DEFINITION_CHANGES = [
  'defineCustomObject',
  'renameCustomObject',
  'archiveCustomObject',
  'deleteCustomObject',
  'defineCustomField',
  'renameCustomField',
  'archiveCustomField',
  'deleteCustomField',
];
const customObjectsChanged = (_result: unknown, _args: Variables, cache: Cache) => invalidateField(cache, 'Query', 'customObjects');

const inputOf = (args: Variables) => (args.input ?? {}) as Record<string, unknown>;
const customerOf = (args: Variables) => {
  const id = inputOf(args).customerId;
  return typeof id === 'string' ? { __typename: 'Customer', id } : null;
};
/** After a mutation that adds to a customer's `field` list and to the workspace-wide `queryField` list. */
const addsTo = (field: string, queryField: string) => (_result: unknown, args: Variables, cache: Cache) => {
  invalidateField(cache, 'Query', queryField);
  const customer = customerOf(args);
  if (customer) invalidateField(cache, customer, field);
};

/** The exchange's configuration; exported so apps can extend it (more updates, more resolvers). */
export function crmCacheConfig(): CacheExchangeOpts {
  return {
    schema: minifiedSchema as unknown as Schema,
    keys: keysForUnidentifiedTypes(),
    resolvers: {
      // Pages fetched with `after` (or `before`) are merged into one list per filter/search/orderBy.
      Query: {
        customers: relayPagination(),
        deals: relayPagination(),
        orders: relayPagination(),
        activities: relayPagination(),
        tickets: relayPagination(),
      },
    },
    updates: {
      Mutation: {
        createCustomer: (_result, _args, cache) => invalidateField(cache, 'Query', 'customers'),
        deleteCustomer: (result, _args, cache) => {
          const id = (result.deleteCustomer as { deletedCustomerId?: string } | null)?.deletedCustomerId;
          if (id) cache.invalidate({ __typename: 'Customer', id });
          invalidateField(cache, 'Query', 'customers');
        },
        createDeal: (result, args, cache) => {
          addsTo('deals', 'deals')(result, args, cache);
          invalidateField(cache, 'Query', 'pipelines');
        },
        deleteDeal: (result, _args, cache) => {
          const id = (result.deleteDeal as { deletedDealId?: string } | null)?.deletedDealId;
          if (id) cache.invalidate({ __typename: 'Deal', id });
          invalidateField(cache, 'Query', 'pipelines');
        },
        // The deal itself is normalized (its stage updates by itself); the pipelines' values change.
        moveDeal: (_result, _args, cache) => invalidateField(cache, 'Query', 'pipelines'),
        recordOrder: addsTo('orders', 'orders'),
        createTicket: addsTo('tickets', 'tickets'),
        logActivity: addsTo('activities', 'activities'),
        createTask: addsTo('tasks', 'tasks'),
        // The workspace's custom objects and their fields (`customObjects { fields }`) change with their definitions.
        ...Object.fromEntries(DEFINITION_CHANGES.map((mutation) => [mutation, customObjectsChanged])),
      },
    },
    optimistic: {
      // The card moves at once; if the server refuses, graphcache drops this layer and the card moves back.
      moveDeal: (args, cache) => {
        const input = inputOf(args) as { id: string; stageId: string; lostReason?: string | null };
        const stage = { __typename: 'Stage', id: input.stageId };
        const status = cache.resolve(stage, 'isWon') ? 'WON' : cache.resolve(stage, 'isLost') ? 'LOST' : 'OPEN';
        return {
          __typename: 'MoveDealPayload',
          deal: { __typename: 'Deal', id: input.id, stage, status, lostReason: input.lostReason ?? null },
        };
      },
    },
  };
}

/** graphcache with the CRM configuration. */
export function crmCacheExchange(): Exchange {
  return cacheExchange(crmCacheConfig());
}
