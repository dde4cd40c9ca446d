import type { ApiKeyVerifier, CommandRunner, Session } from '@crm/core';
import type { GraphContext, LiveEvents } from '@crm/graph';

/** `Bearer <key>` (case-insensitive scheme) → the key; anything else → null. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** Builds the per-request GraphQL context from an Authorization value (HTTP header or graphql-ws connectionParams). */
export async function contextFor(
  authorization: string | null | undefined,
  verifier: ApiKeyVerifier,
  runner: CommandRunner,
  live?: LiveEvents,
): Promise<GraphContext> {
  const token = bearerToken(authorization);
  const session: Session | null = token ? await verifier.verify(token) : null;
  if (!session) return { session: null, caller: null, db: null };
  const caller = runner.callerFor(session);
  return { session, caller, db: caller.db, ...(live ? { live } : {}) };
}
