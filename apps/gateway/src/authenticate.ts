import { type ApiKeyVerifier, type CommandRunner, type ObjectCatalog, Permissions, type Session } from '@crm/core';
import type { GraphContext, LiveEvents } from '@crm/graph';

/** `Bearer <key>` (case-insensitive scheme) → the key; anything else → null. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

const requestSessions = new WeakMap<Request, Promise<Session | null>>();

/**
 * The session of an HTTP request's `Authorization` key, verified once per request: the workspace's schema is chosen
 * (custom-fields/use-workspace-schema.ts) and the context built with the same answer.
 */
export function sessionOfRequest(request: Request, verifier: ApiKeyVerifier): Promise<Session | null> {
  let session = requestSessions.get(request);
  if (!session) {
    const token = bearerToken(request.headers.get('authorization'));
    session = token ? verifier.verify(token) : Promise.resolve(null);
    requestSessions.set(request, session);
  }
  return session;
}

/**
 * Builds the per-request GraphQL context from an Authorization value (HTTP header or graphql-ws connectionParams):
 * the key's session, its permissions over the schema's objects (computed once per verified session), and a caller
 * whose reads and writes go through them.
 */
export async function contextFor(
  authorization: string | null | undefined,
  verifier: ApiKeyVerifier,
  runner: CommandRunner,
  /**
   * The objects permissions are decided over: the catalog of the workspace's own schema, which holds its custom
   * objects (a role naming `Contract` must be read against a catalog that has it).
   */
  catalog: ObjectCatalog | ((workspaceId: string) => Promise<ObjectCatalog>),
  live?: LiveEvents,
): Promise<GraphContext> {
  const token = bearerToken(authorization);
  return contextOfSession(token ? await verifier.verify(token) : null, runner, catalog, live);
}

/** The per-request GraphQL context of a verified session (or none): see {@link contextFor}. */
export async function contextOfSession(
  session: Session | null,
  runner: CommandRunner,
  catalog: ObjectCatalog | ((workspaceId: string) => Promise<ObjectCatalog>),
  live?: LiveEvents,
): Promise<GraphContext> {
  if (!session) return { session: null, caller: null, db: null, permissions: null };
  return { ...accessOf(session, runner, typeof catalog === 'function' ? await catalog(session.workspaceId) : catalog), ...(live ? { live } : {}) };
}

/** The parts of a context that follow from a session: what a live connection replaces when its key's access changes. */
export type SessionAccess = Pick<GraphContext, 'session' | 'caller' | 'db' | 'permissions'>;

/** A verified session's permissions over the schema's objects and a caller whose reads and writes go through them. */
export function accessOf(session: Session, runner: CommandRunner, catalog: ObjectCatalog): SessionAccess {
  const permissions = Permissions.of(session, catalog);
  const caller = runner.callerFor(session, permissions);
  return { session, caller, db: caller.db, permissions };
}
