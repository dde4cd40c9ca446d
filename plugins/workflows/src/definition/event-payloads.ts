// The declared payloads a definition's event reads are typed by (`{{trigger.event.payload.<…>}}`, a wait's
// `{{event.payload.<…>}}`): the host catalog's `EventInfo.payload` (core's `coreEventPayloads`, a plugin's declared
// `payload`). A path must name a key the payload declares (BAD_USER_INPUT naming the keys it has), and holds the kind
// its declaration gives it. An event with no declared payload (a custom object's, a plugin's that declares none, a
// webhook's body) is read unchecked, of any type.
import { type EventCatalog, type EventInfo, payloadPathType, type RecordAccess, recordChangeKind } from '@crm/plugin-sdk';
import type { WorkflowDefinition } from './document.js';
import { actionKeyType, fieldValueType, type ValueType } from './value-types.js';

/** An event's parts other than its payload (`{{trigger.event.occurredAt}}`, a wait's `{{event.subjectId}}`). */
export const EVENT_FIELDS: ReadonlySet<string> = new Set(['id', 'type', 'actor', 'occurredAt', 'subjectType', 'subjectId']);

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

/** A field of the event's subject whose change a path reads (`changes.<field>.from|to`): its declaration. */
export interface ChangedField {
  name: string;
  kind: string;
  enum?: string | undefined;
  stored?: object | undefined;
}

/**
 * What an event read is checked against: the object it is about (null: unknown), its declared payloads, and whether
 * the value read has a core object's custom fields' changes by name (`changes.tier`, field-changes.ts'
 * `payloadByName`: a run's trigger, a wait's `where`) or only as core wrote them (a received event, the wait's output;
 * a custom object's event has them by name as written).
 */
export interface EventRead {
  subject: string | null;
  payloads: PayloadSources;
  changesByName: boolean;
}

type Catalog = RecordAccess['catalog'];

/**
 * The one rule typing a read of an event (`rest`: the keys after the event: `occurredAt`, `payload.amount`,
 * `payload.changes.stage.to`), for the trigger's event, a wait's condition and a wait's output alike: its parts; a
 * change of one of its subject's fields (an update's payload carries `changes`) typed by that field, which must exist
 * (a custom field's by its definition, read by name where `changesByName`); the rest of its payload by its declared
 * shape (`payloadRead`); unchecked, of any type, when it declares none. The problem says why the path names nothing.
 */
export function eventPartType(rest: readonly string[], read: EventRead, catalog: Catalog): { type: ValueType; field?: ChangedField } | { problem: string } {
  const [part, ...deeper] = rest;
  if (part === undefined) return { type: { kind: 'unknown' } };
  if (part !== 'payload') {
    if (deeper.length || !EVENT_FIELDS.has(part)) return { problem: `an event has ${[...EVENT_FIELDS].join(', ')} and payload.*` };
    if (part === 'occurredAt') return { type: { kind: 'date' } };
    if (part === 'subjectId') return { type: read.subject ? { kind: 'id', object: read.subject } : { kind: 'id' } };
    return { type: { kind: 'text' } };
  }
  const { payloads, subject } = read;
  const carriesChanges = payloads === null || payloads.some((p) => Object.hasOwn(p.payload.shape, 'changes'));
  const target = subject && catalog.has(subject) ? catalog.get(subject) : null;
  if (deeper[0] === 'changes' && deeper.length >= 2 && carriesChanges && target) {
    const name = deeper[1]!;
    // A JSON column's own change (`changes.customFields`), as core wrote it: of any shape.
    if ([...target.fields.values()].some((f) => f.stored?.json === name)) return { type: { kind: 'unknown' } };
    const field = target.fields.get(name);
    if (!field) return { problem: `${subject} has no field ${name}` };
    // Only a core object's events carry its custom fields within their JSON column (`changes.customFields`); a custom
    // object's (kept in the shared table) carry each field's change by name (core's custom-objects/record-commands.ts).
    if (field.stored && !read.changesByName && !target.sharedTable) {
      return { problem: `a received event holds ${subject}'s custom fields' changes as core wrote them (changes.${field.stored.json}, by stable keys), not changes.${name}: test the change in the wait's where ({{event.payload.changes.${name}.to}})` };
    }
    if (deeper.length === 2) return { type: { kind: 'unknown' } };
    if (deeper.length !== 3 || (deeper[2] !== 'from' && deeper[2] !== 'to')) return { problem: `a change is read as changes.${name}.from or changes.${name}.to` };
    return { type: fieldValueType(field, target.name), field };
  }
  return payloads ? payloadRead(payloads, deeper, catalog.objects) : { type: { kind: 'unknown' } };
}
