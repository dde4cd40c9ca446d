// React hooks over @crm/client (the dashboard's only way to the API): queries that follow the cache, mutations,
// and the workspace's events (one shared resumable stream, see event-hub.ts).
import type { AnyVariables, Client, CombinedError, CrmEvent, TadaDocumentNode } from '@crm/client';
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { EventHub } from './event-hub.js';

export const ClientContext = createContext<Client | null>(null);
/** The client without a cache that runs workspace documents (see `WorkspaceDocument`). */
export const WorkspaceClientContext = createContext<Client | null>(null);
export const EventHubContext = createContext<EventHub | null>(null);

export function useClient(): Client {
  const client = useContext(ClientContext);
  if (!client) throw new Error('No CRM client: render inside <ClientContext.Provider>');
  return client;
}

/**
 * The client for a document: typed documents go through the normalized cache; workspace documents do not, because
 * the cache knows the base schema only and cannot read back types it has never heard of (a custom object's records).
 */
function useClientFor(document: unknown): Client {
  const client = useClient();
  const workspaceClient = useContext(WorkspaceClientContext);
  return typeof document === 'string' ? (workspaceClient ?? client) : client;
}

export interface QueryState<Data> {
  data: Data | undefined;
  error: CombinedError | undefined;
  fetching: boolean;
  /** Asks the server again (the cache shows the new answer to every query that reads it). */
  refetch: () => void;
}

type RequestPolicy = 'cache-first' | 'cache-and-network' | 'network-only';

/**
 * A document for the workspace's own schema (its custom fields and objects), built at run time: the typed client only
 * knows the base schema, so the caller states the shape of the answer. It runs without the cache (`useClientFor`).
 */
export type WorkspaceDocument = string;

/** Runs a typed query and re-renders whenever the cache changes what it reads. */
export function useCrmQuery<Data, Variables extends AnyVariables>(
  document: TadaDocumentNode<Data, Variables> | WorkspaceDocument,
  variables: Variables,
  options: { pause?: boolean; requestPolicy?: RequestPolicy } = {},
): QueryState<Data> {
  const client = useClientFor(document);
  const [state, setState] = useState<Omit<QueryState<Data>, 'refetch'>>({ data: undefined, error: undefined, fetching: !options.pause });
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables);
  const requestPolicy = options.requestPolicy ?? 'cache-and-network';

  useEffect(() => {
    if (options.pause) return;
    setState((previous) => ({ ...previous, fetching: true }));
    const { unsubscribe } = client
      .query<Data, Variables>(document, JSON.parse(key) as Variables, { requestPolicy: generation > 0 ? 'network-only' : requestPolicy })
      .subscribe((result) => setState({ data: result.data, error: result.error, fetching: !!result.stale }));
    return unsubscribe;
  }, [client, document, key, options.pause, generation, requestPolicy]);

  const refetch = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, refetch };
}

export interface MutationState<Data> {
  running: boolean;
  error: CombinedError | undefined;
  data: Data | undefined;
}

/** A typed mutation: `[state, run]`; `run` resolves with the result (errors included, never thrown). */
export function useCrmMutation<Data, Variables extends AnyVariables>(document: TadaDocumentNode<Data, Variables> | WorkspaceDocument) {
  const client = useClientFor(document);
  const [state, setState] = useState<MutationState<Data>>({ running: false, error: undefined, data: undefined });
  const run = useCallback(
    async (variables: Variables) => {
      setState({ running: true, error: undefined, data: undefined });
      const result = await client.mutation<Data, Variables>(document, variables).toPromise();
      setState({ running: false, error: result.error, data: result.data });
      return result;
    },
    [client, document],
  );
  return [state, run] as const;
}

/** Calls `onEvent` for each event of the workspace (of the given types) while mounted. */
export function useEventStream(options: { types?: string[] }, onEvent: (event: CrmEvent) => void) {
  const hub = useContext(EventHubContext);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const types = options.types?.join(',') ?? '';
  useEffect(() => {
    if (!hub) return;
    const wanted = types ? new Set(types.split(',')) : null;
    return hub.listen((event) => (!wanted || wanted.has(event.type)) && handler.current(event));
  }, [hub, types]);
}

/** Runs `fn` at most once per `ms` (trailing): many events in a burst cause one refetch. */
export function useThrottled(fn: () => void, ms: number): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  return useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  }, [ms]);
}

/** `value` once it has stopped changing for `ms` (typing in a filter field sends one query, not one per key). */
export function useSettled<Value>(value: Value, ms: number): Value {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * A record's page, live: on each event `isAbout` it (at most every 200 ms) `refetch` runs and the returned version
 * grows, so that the page's cards (panels, custom values, reverse connections) ask again too.
 */
export function useLiveVersion(isAbout: (event: CrmEvent) => boolean, refetch: () => void): number {
  const [version, setVersion] = useState(0);
  const throttled = useThrottled(() => {
    refetch();
    setVersion((v) => v + 1);
  }, 200);
  useEventStream({}, (event) => isAbout(event) && throttled());
  return version;
}
