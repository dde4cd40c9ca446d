import { badInput, CrmError, type EventReaders, eventSubjectObject as subjectObject, type ObjectCatalog, type Permissions, type RecordedEvent, type ResolvedObject, scrubEventPayload } from '@crm/core';
import { brandWithType } from '@pothos/core';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { type GraphQLResolveInfo, isObjectType } from 'graphql';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import { eventStream } from '../live/event-stream.js';
import { catalogOf } from '../objects/catalog-of.js';
import { eventReadersOf } from '../objects/event-readers-of.js';
import { delegateOf } from '../objects/model-delegate.js';

/**
 * Whether a key sees an event at all: not when its role does not read the subject's object, nor a plugin event its
 * role does not read (`EventReaders`: in memory, no look-up per event).
 */
function eventReadable(permissions: Permissions | null, catalog: ObjectCatalog, readers: EventReaders, event: Pick<RecordedEvent, 'subjectType' | 'type'>): boolean {
  if (!permissions) return true;
  const object = subjectObject(catalog, event);
  return (!object || permissions.can(object, 'read')) && readers.reads(permissions, event.type);
}

/**
 * The condition "`id` is one of the key's own records of `object`": the data layer narrows governed tables itself; a
 * custom object's shared table is narrowed here (its rows, and the owner column the key's user).
 */
export function ownSubjectWhere(permissions: Permissions, object: ResolvedObject, id: string): object {
  const shared = object.sharedTable;
  const owner = permissions.ownerField(object);
  if (!shared || !owner) return { id };
  return permissions.userId ? { id, [shared.column]: shared.value, [owner.column]: permissions.userId } : { id: { in: [] } };
}

/**
 * Drops events whose subject the key may not see under "own records only" (one look-up per such event, through the
 * key's narrowed client; keys without the rule pay nothing). The key's permissions are read per event: a live
 * connection's are replaced when its role changes. A plain iterator, not an async generator, so that `return()` (the
 * subscriber leaving) closes the stream at once instead of waiting for its next event.
 */
function ownSubjectsOnly(events: AsyncIterableIterator<RecordedEvent>, context: GraphContext, catalog: ObjectCatalog): AsyncIterableIterator<RecordedEvent> {
  const visible = async (event: RecordedEvent) => {
    const { permissions } = context;
    const object = subjectObject(catalog, event);
    if (!permissions || !object || !permissions.ownerField(object)) return true;
    const delegate = delegateOf(context, object.model);
    return Boolean(delegate && (await delegate.count({ where: ownSubjectWhere(permissions, object, event.subjectId) })));
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      for (;;) {
        const step = await events.next();
        if (step.done || (await visible(step.value))) return step;
      }
    },
    async return() {
      return (await events.return?.()) ?? { done: true, value: undefined };
    },
  };
}

/** An event's cursor: opaque to clients, base64 of its per-workspace seq. */
export const eventCursor = (seq: bigint) => Buffer.from(`event:${seq}`).toString('base64url');

/** The seq an event cursor stands for; BAD_USER_INPUT (on `field`) when it is not one. */
export function seqOfCursor(cursor: string, field = 'after'): bigint {
  const match = /^event:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput(`${field}: not an event cursor`, field);
  return BigInt(match[1]!);
}


/** Loads the event's subject when its type is a Node of this schema; null when gone (deleted). */
async function loadSubject(event: RecordedEvent, context: GraphContext, info: GraphQLResolveInfo): Promise<object | null> {
  const type = info.schema.getType(event.subjectType);
  if (!isObjectType(type) || !type.getInterfaces().some((i) => i.name === 'Node')) return null;
  // The workspace-scoped client: a subject is only ever looked up inside the subscriber's workspace.
  // A custom object's records share one table: its model is the declaration's, and its own rows are asked for.
  const object = subjectObject(catalogOf(info.schema), event);
  const model = object?.model ?? event.subjectType;
  const delegate = delegateOf(context, model);
  const shared = object?.sharedTable;
  const row = (await delegate?.findFirst({ where: { id: event.subjectId, ...(shared ? { [shared.column]: shared.value } : {}) } })) as object | null | undefined;
  if (!row) return null;
  // Tells the Node interface which type the row is (a type name is a valid brand at runtime).
  brandWithType(row, event.subjectType as never);
  return row;
}

/** Decodes a subject's global id (subscription and query filters). */
export function subjectOfGlobalId(id: string): { typename: string; id: string } {
  try {
    return decodeGlobalID(id);
  } catch {
    throw badInput('subjectId: not a valid id', 'subjectId');
  }
}

/**
 * The `events` subscription: every change the API commits, in commit order, with replay from a cursor. Returns
 * the `CrmEvent` type, which the audit-log queries list too.
 */
export function registerEvents(builder: Builder) {
  const CrmEvent = builder.objectRef<RecordedEvent>('CrmEvent').implement({
    description: 'A committed change. `cursor` resumes a subscription right after this event (`events(after:)`).',
    fields: (t) => ({
      id: t.exposeID('id'),
      cursor: t.string({ resolve: (event) => eventCursor(event.seq) }),
      type: t.exposeString('type', { description: '`entity.action`, e.g. customer.created, deal.stage_changed.' }),
      occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
      actor: t.exposeString('actor', { description: '`user:<id>`, `apikey:<id>`, `system` or `plugin:<id>`.' }),
      subjectType: t.exposeString('subjectType'),
      subject: t.field({
        type: builder.nodeInterfaceRef(),
        nullable: true,
        description: 'What the event is about, as it is now; null once deleted.',
        resolve: (event, _args, context, info) => loadSubject(event, context, info),
      }),
      payload: t.field({
        type: 'JSON',
        description: 'As recorded, except values of fields your API key’s role does not read (null, or left out of `changes`).',
        resolve: (event, _args, context, info) =>
          context.permissions ? scrubEventPayload(context.permissions, subjectObject(catalogOf(info.schema), event), event.payload ?? {}) : (event.payload ?? {}),
      }),
    }),
  });

  builder.subscriptionType({ description: 'Live data over graphql-ws (WebSocket on /graphql).' });
  builder.subscriptionFields((t) => ({
    events: t.field({
      type: CrmEvent,
      authScopes: { authenticated: true },
      description:
        'Committed events of your workspace in commit order. With `after` (a cursor), first replays the events since ' +
        'that one (up to 7 days back), then continues live, without gaps or duplicates.',
      args: {
        types: t.arg.stringList({ required: false, description: 'Only these event types, e.g. ["customer.created"].' }),
        subjectId: t.arg.id({ required: false, description: 'Only events about this entity (its global id).' }),
        after: t.arg.string({ required: false }),
      },
      subscribe: (_root, args, context, info) => {
        const caller = callerOf(context);
        const catalog = catalogOf(info.schema);
        const readers = eventReadersOf(info.schema);
        if (!context.live) throw new CrmError('NOT_FOUND', 'Subscriptions are not available on this endpoint');
        const after = args.after ? seqOfCursor(args.after) : null;
        const types = args.types?.length ? new Set(args.types) : null;
        const subject = args.subjectId ? subjectOfGlobalId(args.subjectId) : null;
        const stream = eventStream({
          live: context.live,
          db: caller.db,
          workspaceId: caller.session.workspaceId,
          after,
          // Filtered here, before any selection runs: only matching events reach the resolvers. Permissions are read
          // per event (from the context, which a live connection's role change updates in place).
          matches: (event) =>
            (!types || types.has(event.type)) &&
            (!subject || (event.subjectId === subject.id && event.subjectType === subject.typename)) &&
            eventReadable(context.permissions, catalog, readers, event),
        });
        return ownSubjectsOnly(stream, context, catalog);
      },
      resolve: (event) => event,
    }),
  }));
  return CrmEvent;
}
