// graphql-ws clients for tests: the real client over a real socket, and a collector for one subscription.
import type { GraphQLFormattedError } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client with `authorization: Bearer <apiKey>` (or no key); connects on first subscribe, no retries. */
export function openWsClient(wsUrl: string, apiKey: string | null, onClosed?: (code: number) => void): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    on: { closed: (event) => onClosed?.((event as { code: number }).code) },
  });
}

// The waits below end on arrival; this deadline (half a test's timeout) only bounds a failing test, so that a loaded
// machine cannot trip it.
const WAIT_MS = 60_000;

/** Collects the results of one subscription; `take(n)` waits until n have arrived. */
export class SubscriptionCollector<T = Record<string, unknown>> {
  readonly results: T[] = [];
  errors: readonly GraphQLFormattedError[] | null = null;
  completed = false;
  private waiters: (() => void)[] = [];
  readonly dispose: () => void;

  constructor(client: Client, query: string, variables?: Record<string, unknown>) {
    this.dispose = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) this.errors = result.errors;
          if (result.data) this.results.push(result.data as T);
          this.wake();
        },
        error: (error) => {
          this.errors = Array.isArray(error) ? (error as GraphQLFormattedError[]) : [{ message: String(error) }];
          this.wake();
        },
        complete: () => {
          this.completed = true;
          this.wake();
        },
      },
    );
  }

  /** Waits until `count` results (or an error) arrived; rejects after `timeoutMs`. */
  async take(count: number, timeoutMs = WAIT_MS): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.results.length < count && !this.errors && !this.completed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} results, got ${this.results.length}: ${JSON.stringify(this.results)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (this.errors && this.results.length < count) throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
    return this.results.slice(0, count);
  }

  /** Waits for the subscription to end with errors (returns them). */
  async failure(timeoutMs = WAIT_MS): Promise<readonly GraphQLFormattedError[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.errors && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (!this.errors) throw new Error('expected the subscription to fail');
    return this.errors;
  }

  private wake() {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
