// The scope a subscriber handles an event in (delivery.ts): the event's causal chain one hop further, for what it emits
// and for the queue items it inserts, and the same for another event of its batch (`inChainOf`).
import { causeOf, type CommandScope } from '@crm/core';
import type { DeliveredEvent } from '../events.js';
import type { ChainedScope } from '../plugin.js';

/**
 * The subscriber's transaction as it handles `event`: what it emits (itself, through the core's commands or another
 * plugin's actions) carries the event's causal chain one hop further (`causeOf`), so a loop through any number of
 * plugins stays traceable to the actor that began it. No statement: the chain is two columns of the events' INSERT.
 */
const handlingScope = (scope: CommandScope, event: DeliveredEvent): CommandScope => scope.causedBy?.(causeOf(event)) ?? scope;

/**
 * What a subscriber's context takes from its scope while handling `event`: the chain's `emit`, and the chain itself,
 * which the queue items it inserts carry (own-rows.ts); `inChainOf`, the same for another event of its batch.
 */
export const chainedContext = (scope: CommandScope, event: DeliveredEvent) => {
  const handling = handlingScope(scope, event);
  return { emit: handling.emit, chain: causeOf(event) };
};
export const inChainOf = (scope: CommandScope) => (event: DeliveredEvent): ChainedScope => ({ tx: scope.tx, session: scope.session, ...chainedContext(scope, event) });
