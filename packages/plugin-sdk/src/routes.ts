// HTTP endpoints a plugin serves (incoming webhooks): `POST /plugins/<plugin>/<route>/<workspaceId>/<rest>`. The
// host finds the workspace from the path, answers 404 where the plugin is off, limits the body, and hands the handler
// the request and transactions in that workspace; the handler authenticates the caller itself (a signature, a
// token: these requests carry no API key) and answers with a status and a JSON body.
import type { QueueTransaction } from './jobs.js';

export interface PluginRequest {
  workspaceId: string;
  /** The path after the workspace id, without its leading slash (`<workflowId>`); '' when there is none. */
  path: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body decoded as UTF-8 (an invalid byte becomes U+FFFD): parse this one. */
  body: string;
  /**
   * The body's bytes as received: verify a signature on exactly these (decoding is not reversible). The host always
   * sets it; optional so that a request a plugin builds in its own tests need not (fall back to `Buffer.from(body)`).
   */
  rawBody?: Buffer;
}

export interface PluginResponse {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a route's handler gets: transactions in the request's workspace, as on a queue. */
export interface RouteContext<Settings, Event extends string = string> {
  workspaceId: string;
  now: Date;
  /** One transaction in the workspace as `plugin:<id>` (or `plugin:<id>:<actor>`), with the plugin's scope. */
  transaction<T>(fn: (scope: QueueTransaction<Settings, Event>) => Promise<T>, options?: { actor?: string }): Promise<T>;
  /** Tells this instance's workers of the plugin's queues that new work is due (after the transaction committed). */
  wake(): void;
}

/** An endpoint, by name in `routes` (`hooks` → `/plugins/<plugin>/hooks/<workspaceId>/…`). POST only. */
export interface RouteDefinition<Settings, Event extends string = string> {
  /** Largest body accepted; larger is 413. @default 262144 (256 KiB) */
  maxBodyBytes?: number;
  /**
   * Count this route's refusals (answers 401, 403, 404) per client address, route and workspace against the host's
   * limit (the gateway's `ROUTE_FAILURES_PER_MINUTE`): a refusal past it is answered 429 with Retry-After instead. A
   * request the route accepts is never limited. For routes whose refusals mean a guessed credential (a secret URL);
   * not for routes that answer 404 as ordinary business. @default false
   */
  limitRefusals?: boolean;
  handle(request: PluginRequest, context: RouteContext<Settings, Event>): Promise<PluginResponse>;
}
