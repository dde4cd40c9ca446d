import DataLoader from 'dataloader';
import type { GraphContext } from '@crm/graph';

/** Loads values by key for the fields a plugin adds to a list (e.g. `Customer.loyalty`): one query per page. */
export interface RequestLoader<K, V> {
  /** The value for `key`, or null when the batch had none. Calls in the same tick share one batch. */
  load(context: GraphContext, key: K): Promise<V | null>;
}

/** Largest batch (a page is at most 100 rows, so one page is one batch). */
const MAX_BATCH = 100;

/**
 * A batching loader per request. Batches are keyed by the request's context object; values are not memoised
 * beyond one batch (a graphql-ws connection keeps one context for many operations, so a cache could go stale).
 */
export function requestLoader<K, V>(batch: (keys: readonly K[], context: GraphContext) => Promise<ReadonlyMap<K, V>>): RequestLoader<K, V> {
  const loaders = new WeakMap<GraphContext, DataLoader<K, V | null>>();
  return {
    load(context, key) {
      let loader = loaders.get(context);
      if (!loader) {
        loader = new DataLoader<K, V | null>(
          async (keys) => {
            const found = await batch(keys, context);
            return keys.map((k) => found.get(k) ?? null);
          },
          { cache: false, maxBatchSize: MAX_BATCH },
        );
        loaders.set(context, loader);
      }
      return loader.load(key);
    },
  };
}
