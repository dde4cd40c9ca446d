import { type Caller, CrmError } from '@crm/core';
import type { GraphContext } from './context.js';

/** The request's caller; UNAUTHENTICATED when the request has no valid API key. */
export function callerOf(context: GraphContext): Caller {
  if (!context.caller) throw new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>');
  return context.caller;
}
