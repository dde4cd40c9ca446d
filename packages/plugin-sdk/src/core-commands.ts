// Core commands a plugin may run inside its own command's transaction: the core's validation, rules and events
// apply, and the plugin's rows commit (or roll back) together with the core change.
import { type Caller, type CommandScope, moveDeal as coreMoveDeal, type moveDealInput, requireRole } from '@crm/core';
import type { Deal, ScopedPrisma } from '@crm/db';
import type { z } from 'zod';

/** A caller whose `run` joins the running transaction instead of opening another one. */
function joined(scope: CommandScope): Caller {
  return {
    session: scope.session,
    // Reads inside the command go through the same transaction.
    db: scope.tx as unknown as ScopedPrisma,
    // The core command's own role floor still applies (the same check a separate transaction would make).
    run: (fn, options) => {
      requireRole(scope.session, options?.role ?? 'MEMBER');
      return fn(scope);
    },
  };
}

/** The core's `moveDeal` (raw row ids), in the plugin command's transaction: a lost stage needs `lostReason`. */
export function moveDealIn(scope: CommandScope, input: z.input<typeof moveDealInput>): Promise<Deal> {
  return coreMoveDeal(joined(scope), input);
}
