// The declared payloads a definition's event reads are typed by (`{{trigger.event.payload.<…>}}`, a wait's
// `{{event.payload.<…>}}`): the host catalog's `EventInfo.payload` (core's `coreEventPayloads`, a plugin's declared
// `payload`). A path must name a key the payload declares (BAD_USER_INPUT naming the keys it has), and holds the kind
// its declaration gives it. An event with no declared payload (a custom object's, a plugin's that declares none, a
// webhook's body) is read unchecked, of any type.
import { type EventCatalog, type EventInfo, payloadPathType, recordChangeKind } from '@crm/plugin-sdk';
import type { WorkflowDefinition } from './document.js';
import { actionKeyType, type ValueType } from './value-types.js';

/** The events a path may be read from, each with its declared payload; null: unchecked (any path, any type). */
export type PayloadSources = readonly (EventInfo & { payload: NonNullable<EventInfo['payload']> })[] | null;

/** The sources of `types`: null unless every one is known and declares its payload. */
function declared(catalog: EventCatalog, types: readonly string[]): PayloadSources {
  const infos = types.map((type) => catalog.get(type));
  return infos.length && infos.every((info) => info?.payload) ? (infos as NonNullable<PayloadSources>) : null;
}

/** The declared payload of the event a wait awaits (null: unchecked). */
export function eventPayloadSources(catalog: EventCatalog | undefined, type: string): PayloadSources {
  return catalog ? declared(catalog, [type]) : null;
}

/**
 * The events that may start a run of `trigger`: an event trigger's one type; a record trigger's, the events about its
 * object that are the change it listens to (the SDK's `recordChangeKind`: `deal.updated` and `deal.stage_changed` for
 * an update of a Deal, `ticket.opened` for a new Ticket). Null: unchecked (a webhook's body; a custom object's events).
 */
export function triggerPayloadSources(catalog: EventCatalog | undefined, trigger: WorkflowDefinition['trigger']): PayloadSources {
  if (!catalog) return null;
  if (trigger.kind === 'event') return declared(catalog, [trigger.eventType]);
  if (trigger.kind !== 'record') return null;
  const types = [...catalog.values()]
    .filter((info) => info.subject === trigger.object && recordChangeKind(info.type, Boolean(info.payload && Object.hasOwn(info.payload.shape, 'changes'))) === trigger.on)
    .map((info) => info.type);
  return declared(catalog, types);
}

/**
 * The type of `rest` (the keys after `payload`) in the payload of any of `sources`, or why none of them has it. Of
 * several events (a record trigger's), a key one of them declares may be read (the others read it as null); its type
 * is theirs when they agree, else any.
 */
export function payloadRead(sources: NonNullable<PayloadSources>, rest: readonly string[], objects: Iterable<{ name: string }>): { type: ValueType } | { problem: string } {
  const read = sources.map((source) => ({ source, found: payloadPathType(source.payload, rest) }));
  const kinds = new Set(read.flatMap(({ found }) => ('kind' in found ? [found.kind] : [])));
  if (!kinds.size) return { problem: read.map(({ source, found }) => `${source.type}'s ${'problem' in found ? found.problem : ''}`).join('; ') };
  if (kinds.size > 1) return { type: { kind: 'unknown' } };
  const key = [...rest].reverse().find((part) => !/^\d+$/.test(part)) ?? '';
  // Typed as an action's output key is (the payload is what the emitter gave); its nullability is not read here.
  return { type: actionKeyType(key, { kind: [...kinds][0]!, object: null, nullable: false }, objects, 'output') };
}
