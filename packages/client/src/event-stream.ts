// A resumable stream of the workspace's events: remembers the last cursor and resumes after it on reconnect.
import type { Client } from '@urql/core';
import { socketOf } from './create-client.js';
import { graphql, type ResultOf } from './graphql.js';

/** The fields every streamed event carries; `subject` names the usual entities. */
export const eventsSubscription = graphql(`
  subscription CrmEvents($types: [String!], $subjectId: ID, $after: String) {
    events(types: $types, subjectId: $subjectId, after: $after) {
      id
      cursor
      type
      occurredAt
      actor
      subjectType
      payload
      subject {
        __typename
        id
        ... on Customer { name lifecycleStage }
        ... on Deal { title amount status stage { id name } }
        ... on Ticket { subject ticketStatus: status }
        ... on Order { total }
      }
    }
  }
`);

export type CrmEvent = ResultOf<typeof eventsSubscription>['events'];

export interface EventStreamOptions {
  /** Only these event types, e.g. `['customer.created']`; all when left out. */
  types?: string[];
  /** Only events about this entity (its global id). */
  subjectId?: string;
  /** Start right after this event's cursor (replaying what came since); the present when left out. */
  after?: string | null;
  /** Called when the stream fails for good (e.g. a GraphQL error such as a bad cursor). */
  onError?: (error: Error) => void;
}

export interface EventStream {
  /** The cursor of the last event delivered: store it to resume later with `after`. */
  readonly lastCursor: string | null;
  /** Stops the stream. */
  unsubscribe(): void;
}

/** How many delivered event ids are remembered to drop a duplicate (belt and braces: `after` already excludes them). */
const REMEMBERED_IDS = 1000;

/**
 * Streams the workspace's events to `onEvent`, in commit order, once each. When the socket drops and graphql-ws
 * reconnects, it would re-send the subscription with its original variables (replaying from the first `after`, or
 * missing what happened while down); instead this resubscribes with the last delivered cursor, so nothing is lost
 * and nothing arrives twice.
 */
export function subscribeToEvents(client: Client, options: EventStreamOptions, onEvent: (event: CrmEvent) => void): EventStream {
  let lastCursor = options.after ?? null;
  let generation = 0;
  let stopped = false;
  const delivered = new Set<string>();
  let current: { unsubscribe(): void } | null = null;

  const start = () => {
    const mine = ++generation;
    current?.unsubscribe();
    const variables = { types: options.types ?? null, subjectId: options.subjectId ?? null, after: lastCursor };
    current = client.subscription(eventsSubscription, variables).subscribe((result) => {
      if (mine !== generation || stopped) return; // a superseded subscription
      if (result.error) {
        if (!result.error.networkError) options.onError?.(result.error);
        return;
      }
      const event = result.data?.events;
      if (!event || delivered.has(event.id)) return;
      delivered.add(event.id);
      if (delivered.size > REMEMBERED_IDS) delivered.delete(delivered.values().next().value as string);
      lastCursor = event.cursor;
      onEvent(event);
    });
  };

  // On a reconnect (not the first connection), before graphql-ws re-sends the old subscription: replace it.
  const stopWatching = socketOf(client).on('connected', (_socket, _payload, wasRetry) => {
    if (wasRetry && !stopped) start();
  });
  start();

  return {
    get lastCursor() {
      return lastCursor;
    },
    unsubscribe() {
      stopped = true;
      stopWatching();
      current?.unsubscribe();
    },
  };
}
