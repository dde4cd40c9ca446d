import type { Role } from '@crm/db';
import type { RoleGrants } from './permissions/role-grants.js';
import { CrmError, forbidden } from './errors.js';

/** Who is calling, for which workspace, with which role. Built from an API key by the gateway. */
export interface Session {
  workspaceId: string;
  role: Role;
  /** Recorded on events and audit rows: `apikey:<id>`, `user:<id>`, `system`, `plugin:<id>`. */
  actor: string;
  apiKeyId?: string;
  /** The user the API key is linked to: the session acts as that user (`actor` is `user:<id>`). */
  userId?: string;
  /** When the API key stops working (null or absent: never). */
  expiresAt?: Date | null;
  /**
   * The key's custom role (its id and grants); absent for a built-in role. `role` is then what the custom role
   * amounts to for commands that are not about one object: MEMBER when it writes anything, READ_ONLY otherwise.
   */
  customRole?: { id: string; name: string; grants: RoleGrants };
  /** The key's narrower scopes (`deals:read`); absent or empty: everything its role allows. */
  scopes?: readonly string[];
}

const rank: Record<Role, number> = { READ_ONLY: 0, MEMBER: 1, ADMIN: 2 };

export function hasRole(session: Session, needed: Role): boolean {
  return rank[session.role] >= rank[needed];
}

/** Throws FORBIDDEN unless the session's role is at least `needed`. */
export function requireRole(session: Session | null | undefined, needed: Role): Session {
  if (!session) throw new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>');
  if (!hasRole(session, needed)) {
    throw forbidden(needed === 'ADMIN' ? 'This needs an ADMIN API key' : 'This needs a MEMBER or ADMIN API key (yours is READ_ONLY)');
  }
  return session;
}

export const systemSession = (workspaceId: string): Session => ({ workspaceId, role: 'ADMIN', actor: 'system' });
