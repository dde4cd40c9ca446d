import type { ScopedPrisma } from '@crm/db';
import type { Caller, CommandScope } from '../../command.js';
import { requireRole } from '../../session.js';

/**
 * A caller whose commands run inside an already open command (`scope`): each still checks its role and validates
 * its input, and its events join the open command's, so N single-record commands become one transaction.
 */
export function callerIn(scope: CommandScope): Caller {
  return {
    session: scope.session,
    db: scope.tx as unknown as ScopedPrisma,
    run: async (fn, options) => {
      requireRole(scope.session, options?.role ?? 'MEMBER');
      return fn(scope);
    },
  };
}
