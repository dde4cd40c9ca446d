import type { Caller, Permissions, RecordedEvent, Session } from '@crm/core';
import type { ScopedPrisma } from '@crm/db';

/**
 * Live events of one workspace, after commit. Owned by the graph so it need not import the gateway; the gateway
 * provides the implementation (in-process now, Redis-backed later).
 */
export interface LiveEvents {
  /**
   * Calls `listener` with each batch of committed events of `workspaceId`; returns the unsubscribe function. An
   * empty batch means events may have been missed (pub/sub was unreachable): the listener catches up from the table.
   */
  subscribe(workspaceId: string, listener: (events: readonly RecordedEvent[]) => void): () => void;
}

/** The per-request context every resolver gets. Built by the gateway from the API key. */
export interface GraphContext {
  /** Null when the request carries no valid API key. */
  session: Session | null;
  /** Runs commands (writes) for the session; null when unauthenticated. */
  caller: Caller | null;
  /** Workspace-scoped Prisma client (reads), narrowed to the key's permissions; null when unauthenticated. */
  db: ScopedPrisma | null;
  /** What the key may do (role + scopes), decided once (`Permissions.of`); null when unauthenticated. */
  permissions: Permissions | null;
  /** Committed events for subscriptions; absent where the host offers none. */
  live?: LiveEvents;
}
