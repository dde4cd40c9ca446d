// A resumable stream of the workspace's events: remembers the last cursor and resumes after it on reconnect.
import type { Client, CombinedError } from '@urql/core';
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
        ... on Deal { title amount status stage { id name } customer { id } }
        ... on Ticket { subject ticketStatus: status customer { id } }
        ... on Order { total customer { id } }
        ... on Activity { activitySubject: subject customer { id } }
        ... on Task { title taskCustomer: customer { id } }
        ... on SurveyResponse { score customer { id } }
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
  /** Called when the stream fails for good: a refused key (socket closed with 4403), a bad cursor… */
  onError?: (error: Error) => void;
}

export interface EventStream {
  /** The cursor of the last event delivered: store it to resume later with `after`. */
  readonly lastCursor: string | null;
  /** Stops the stream. */
  unsubscribe(): void;
}

/** urql reports a socket closed for good as a network error holding the close event: name its code and reason. */
function finalError(error: CombinedError): Error {
  const closed = error.networkError as unknown as { code?: unknown; reason?: unknown } | undefined;
  if (closed && typeof closed.code === 'number') {
    return new Error(`The event stream's socket was closed: ${closed.code} ${String(closed.reason ?? '')}`.trim(), { cause: error });
  }
  return error;
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
      // Dropped sockets are retried inside graphql-ws and never surface here: an error is final (a bad key, a bad
      // cursor), and the stream ends.
      if (result.error) return options.onError?.(finalError(result.error));
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
