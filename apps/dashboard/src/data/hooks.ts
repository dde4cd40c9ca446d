// React hooks over @crm/client (the dashboard's only way to the API): queries that follow the cache, mutations,
// and the resumable event stream.
import {
  type AnyVariables,
  type Client,
  type CombinedError,
  type CrmEvent,
  type EventStreamOptions,
  subscribeToEvents,
  type TadaDocumentNode,
} from '@crm/client';
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';

export const ClientContext = createContext<Client | null>(null);

export function useClient(): Client {
  const client = useContext(ClientContext);
  if (!client) throw new Error('No CRM client: render inside <ClientContext.Provider>');
  return client;
}

export interface QueryState<Data> {
  data: Data | undefined;
  error: CombinedError | undefined;
  fetching: boolean;
  /** Asks the server again (the cache shows the new answer to every query that reads it). */
  refetch: () => void;
}

type RequestPolicy = 'cache-first' | 'cache-and-network' | 'network-only';

/** Runs a typed query and re-renders whenever the cache changes what it reads. */
export function useCrmQuery<Data, Variables extends AnyVariables>(
  document: TadaDocumentNode<Data, Variables>,
  variables: Variables,
  options: { pause?: boolean; requestPolicy?: RequestPolicy } = {},
): QueryState<Data> {
  const client = useClient();
  const [state, setState] = useState<Omit<QueryState<Data>, 'refetch'>>({ data: undefined, error: undefined, fetching: !options.pause });
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables);
  const policy = useRef<RequestPolicy>(options.requestPolicy ?? 'cache-and-network');

  useEffect(() => {
    if (options.pause) return;
    setState((previous) => ({ ...previous, fetching: true }));
    const { unsubscribe } = client
      .query(document, JSON.parse(key) as Variables, { requestPolicy: generation > 0 ? 'network-only' : policy.current })
      .subscribe((result) => setState({ data: result.data, error: result.error, fetching: !!result.stale }));
    return unsubscribe;
  }, [client, document, key, options.pause, generation]);

  const refetch = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, refetch };
}

export interface MutationState<Data> {
  running: boolean;
  error: CombinedError | undefined;
  data: Data | undefined;
}

/** A typed mutation: `[state, run]`; `run` resolves with the result (errors included, never thrown). */
export function useCrmMutation<Data, Variables extends AnyVariables>(document: TadaDocumentNode<Data, Variables>) {
  const client = useClient();
  const [state, setState] = useState<MutationState<Data>>({ running: false, error: undefined, data: undefined });
  const run = useCallback(
    async (variables: Variables) => {
      setState({ running: true, error: undefined, data: undefined });
      const result = await client.mutation(document, variables).toPromise();
      setState({ running: false, error: result.error, data: result.data });
      return result;
    },
    [client, document],
  );
  return [state, run] as const;
}

/** Calls `onEvent` for each event of the workspace (resuming across reconnects) while mounted. */
export function useEventStream(options: Omit<EventStreamOptions, 'after'>, onEvent: (event: CrmEvent) => void) {
  const client = useClient();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const key = JSON.stringify(options);
  useEffect(() => {
    const stream = subscribeToEvents(client, JSON.parse(key) as EventStreamOptions, (event) => handler.current(event));
    return () => stream.unsubscribe();
  }, [client, key]);
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
