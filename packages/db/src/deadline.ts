import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import pg from 'pg';
import { PipelinedTransactionClient } from './pipelined-transaction-client.js';

/** The time by which the work of one request must be done. Statements it sends are bounded by it. */
export interface RequestDeadline {
  /** Milliseconds since the epoch; `Infinity` once lifted (a subscription outlives its request). */
  at: number;
  /** Set when a statement was refused or abandoned because the deadline passed. */
  timedOut: boolean;
}

const storage = new AsyncLocalStorage<RequestDeadline>();

/** Runs `fn` (a request) with a deadline `timeoutMs` from now; the statements it sends inherit it. */
export function withDeadline<T>(timeoutMs: number, fn: (deadline: RequestDeadline) => T): T {
  const deadline: RequestDeadline = { at: Date.now() + timeoutMs, timedOut: false };
  return storage.run(deadline, () => fn(deadline));
}

/** Runs `fn` free of the current request's deadline: work a request sets off that outlives it (publishing its events). */
export function withoutDeadline<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** The deadline of the request being served, if any. */
export function currentDeadline(): RequestDeadline | undefined {
  return storage.getStore();
}

/** Time left before the current request's deadline; null when there is none. */
export function timeLeftMs(): number | null {
  const deadline = storage.getStore();
  return deadline && Number.isFinite(deadline.at) ? deadline.at - Date.now() : null;
}

/** A statement refused or abandoned because its request's deadline passed. */
export class DeadlineExceededError extends Error {
  readonly code = 'TIMEOUT';
  constructor() {
    super('The request ran out of time (its deadline passed) while waiting for the database');
    this.name = 'DeadlineExceededError';
  }
}

type QueryConfig = { text: string; query_timeout?: number } & Record<string, unknown>;
type Callback = (error: Error | null, result?: unknown) => void;

function isPlainConfig(value: unknown): value is QueryConfig {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && 'text' in value;
}

const isReadTimeout = (error: unknown) => (error as Error | null)?.message === 'Query read timeout';

/**
 * A node-postgres client whose statements, when sent for a request, give up at the request's deadline. Giving up
 * resets the connection (TCP RST): a statement still on its way (a COMMIT stuck in a network partition) is then
 * never delivered, and the server rolls back whatever transaction the connection held. So nothing a request
 * started is committed after its client was told it timed out. Its transactions start with their first statement
 * and end with the read that waits for their COMMIT, without round trips of their own (`pipelined-transaction-client.ts`).
 */
export class DeadlineClient extends PipelinedTransactionClient {
  // Every form node-postgres accepts: (text | config, values?, callback?); pg-pool passes a callback.
  override query(...args: unknown[]): never {
    const superQuery = super.query.bind(this) as (...a: unknown[]) => never;
    let [config, values, callback] = args;
    if (typeof values === 'function') [values, callback] = [undefined, values];
    if (typeof config === 'string') config = { text: config };
    const left = timeLeftMs();
    if (left === null || !isPlainConfig(config)) return superQuery(...args);
    const deadline = currentDeadline()!;
    const bounded = { ...config, query_timeout: Math.max(1, Math.ceil(left)) };
    if (typeof callback === 'function') {
      const done = callback as Callback;
      if (left <= 0) return void this.abandon(deadline).catch((error: Error) => done(error)) as never;
      return superQuery(bounded, values, (error: Error | null, result?: unknown) => {
        if (isReadTimeout(error)) return void this.abandon(deadline).catch((abandoned: Error) => done(abandoned));
        done(error, result);
      });
    }
    if (left <= 0) return this.abandon(deadline) as never;
    return (superQuery(bounded, values) as unknown as Promise<unknown>).catch((error: unknown) => {
      if (isReadTimeout(error)) return this.abandon(deadline);
      throw error;
    }) as never;
  }

  private abandon(deadline: RequestDeadline): Promise<never> {
    deadline.timedOut = true;
    const stream = (this as unknown as { connection?: { stream?: { resetAndDestroy?: () => void; destroy: () => void } } }).connection?.stream;
    try {
      if (stream?.resetAndDestroy) stream.resetAndDestroy();
      else stream?.destroy();
    } catch {
      stream?.destroy(); // not connected (yet): nothing was sent
    }
    return Promise.reject(new DeadlineExceededError());
  }
}

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * A pool whose waiters keep their own request's deadline. node-postgres hands a freed connection to the next waiter
 * from inside the callback of the statement that freed it, that is, in the async context of the request that last
 * used (or opened) the connection; `pool.query` then sends the waiter's statement from there, and it inherited that
 * other request's deadline (long past: abandoned at once) or none. Binding the waiter's callback to its own
 * context keeps each statement under its own deadline.
 */
export class DeadlinePool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (typeof callback === 'function') return super.connect(AsyncResource.bind(callback));
    return super.connect();
  }
}
