import type { Caller, Session } from '@crm/core';
import type { ScopedPrisma } from '@crm/db';

/** The per-request context every resolver gets. Built by the gateway from the API key. */
export interface GraphContext {
  /** Null when the request carries no valid API key. */
  session: Session | null;
  /** Runs commands (writes) for the session; null when unauthenticated. */
  caller: Caller | null;
  /** Workspace-scoped Prisma client (reads); null when unauthenticated. */
  db: ScopedPrisma | null;
}
