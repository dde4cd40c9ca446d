import {
  customerHistories,
  customerHistoryCounts,
  type EventPage,
  eventLogWhere,
  type HistoryOwner,
  readEventLog,
  type RecordedEvent,
} from '@crm/core';
import type { ObjectRef } from '@pothos/core';
import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import DataLoader from 'dataloader';
import { type Builder, MAX_PAGE_SIZE } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { catalogOf } from '../objects/catalog-of.js';
import { eventReadersOf } from '../objects/event-readers-of.js';
import { delegateOf } from '../objects/model-delegate.js';
import { eventCursor, ownSubjectWhere, seqOfCursor, subjectOfGlobalId } from './events.js';

const PAGE_SIZES = { defaultSize: 20, maxSize: MAX_PAGE_SIZE };

/** Connection arguments → a window of the log, read newest first (`last` reads oldest first, then reverses). */
function pageOf({ before, after, limit, inverted }: ResolveCursorConnectionArgs): EventPage {
  return {
    ...(after ? { olderThan: seqOfCursor(after, 'after') } : {}),
    ...(before ? { newerThan: seqOfCursor(before, 'before') } : {}),
    limit,
    newestFirst: !inverted,
  };
}

interface HistoryKey {
  /** Plugin event types the key does not read (the same for every key of one request). */
  hiddenTypes: readonly string[];
  /** The customer or record whose history this is. */
  customerId: string;
  /** Identical for every customer of one page-of-customers selection. */
  page: EventPage;
  types: readonly string[] | null;
}

/**
 * A per-request loader for per-customer lists: keys that share their arguments (the usual case: one field on a
 * page of customers) are answered by ONE call of `load` with all their customer ids.
 */
function groupedLoader<K extends { customerId: string }, V>(
  argumentsKey: (key: K) => string,
  load: (key: K, customerIds: string[]) => Promise<V[]>,
): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const groups = new Map<string, K[]>();
      for (const key of keys) groups.set(argumentsKey(key), [...(groups.get(argumentsKey(key)) ?? []), key]);
      const results = new Map<string, V>();
      for (const [group, members] of groups) {
        const ids = members.map((key) => key.customerId);
        const values = await load(members[0]!, ids);
        ids.forEach((id, index) => results.set(`${id}|${group}`, values[index]!));
      }
      return keys.map((key) => results.get(`${key.customerId}|${argumentsKey(key)}`)!);
    },
    { cache: false, maxBatchSize: 500, cacheKeyFn: (key) => `${key.customerId}|${argumentsKey(key)}` },
  );
}

const historyLoaders = new WeakMap<GraphContext, Map<HistoryOwner, ReturnType<typeof createHistoryLoaders>>>();

function createHistoryLoaders(context: GraphContext, owner: HistoryOwner) {
  const { db, session } = callerOf(context);
  return {
    pages: groupedLoader<HistoryKey, RecordedEvent[]>(
      ({ page, types }) => JSON.stringify([page.olderThan?.toString(), page.newerThan?.toString(), page.limit, page.newestFirst, types]),
      ({ page, types, hiddenTypes }, ids) => customerHistories(db, session.workspaceId, ids, page, types, owner, hiddenTypes),
    ),
    counts: groupedLoader<Omit<HistoryKey, 'page'>, number>(
      ({ types }) => JSON.stringify(types),
      ({ types, hiddenTypes }, ids) => customerHistoryCounts(db, ids, types, owner, hiddenTypes),
    ),
  };
}

function historyLoadersOf(context: GraphContext, owner: HistoryOwner) {
  let byOwner = historyLoaders.get(context);
  if (!byOwner) historyLoaders.set(context, (byOwner = new Map()));
  let loaders = byOwner.get(owner);
  if (!loaders) byOwner.set(owner, (loaders = createHistoryLoaders(context, owner)));
  return loaders;
}

/**
 * Objects with a `history` field: a customer's gathers every event about or naming them; the others' are the
 * events about the record (its `*.updated` events carry each changed field's old and new value).
 */
const historyOwners = [
  { model: 'Customer', owner: 'customerId', about: 'events about the customer and events that name them (orders, activities, deals, tickets, surveys)' },
  { model: 'Company', owner: 'subjectId', about: 'events about the company' },
  { model: 'Deal', owner: 'subjectId', about: 'events about the deal' },
  { model: 'Ticket', owner: 'subjectId', about: 'events about the ticket' },
  { model: 'Task', owner: 'subjectId', about: 'events about the task' },
  { model: 'Product', owner: 'subjectId', about: 'events about the product' },
] as const;

/**
 * The audit log as queries, on the same `CrmEvent` type the subscription streams, with the same cursors:
 * `Customer.history` and the workspace-wide `events` connection, both newest first.
 */
/**
 * The subject types whose events a key's log leaves out (payloads are scrubbed besides): objects its role does not
 * read, and objects under "own records only" - unless the query names one subject of theirs that the key sees.
 */
async function hiddenSubjectTypes(context: GraphContext, schema: GraphQLSchema, subject: { typename: string; id: string } | null): Promise<string[] | null> {
  const { permissions } = context;
  if (!permissions) return null;
  const hidden: string[] = [];
  for (const object of catalogOf(schema).objects) {
    let hide = !permissions.can(object, 'read');
    if (!hide && permissions.ownerField(object)) {
      const delegate = delegateOf(context, object.model);
      hide = subject?.typename !== object.name || !delegate || (await delegate.count({ where: ownSubjectWhere(permissions, object, subject.id) })) === 0;
    }
    if (hide) hidden.push(...new Set([object.name, object.model]));
  }
  return hidden;
}

export function registerAuditLog(builder: Builder, CrmEvent: ObjectRef<typeof builder.$inferSchemaTypes, RecordedEvent>) {
  builder.queryField('events', (t) =>
    t.connection(
      {
        type: CrmEvent,
        authScopes: { authenticated: true },
        description:
          'The workspace’s audit log, newest first. Cursors are event cursors: the newest `cursor` can be passed to ' +
          'the `events` subscription’s `after` to continue live from there.',
        args: {
          types: t.arg.stringList({ required: false, description: 'Only these event types.' }),
          subjectId: t.arg.id({ required: false, description: 'Only events about this entity (its global id).' }),
          from: t.arg({ type: 'DateTime', required: false, description: 'Only events that occurred at or after this time.' }),
          to: t.arg({ type: 'DateTime', required: false, description: 'Only events that occurred before this time.' }),
        },
        resolve: async (_root, args, context, info) => {
          const { db } = callerOf(context);
          const subject = args.subjectId ? subjectOfGlobalId(args.subjectId) : null;
          const filter = {
            hiddenSubjectTypes: await hiddenSubjectTypes(context, info.schema, subject),
            hiddenTypes: context.permissions ? eventReadersOf(info.schema).hiddenTypes(context.permissions) : null,
            types: args.types,
            subject: subject ? { type: subject.typename, id: subject.id } : null,
            from: args.from ?? null,
            to: args.to ?? null,
          };
          const connection = await resolveCursorConnection<Promise<RecordedEvent[]>>({ args, ...PAGE_SIZES, toCursor: (event: RecordedEvent) => eventCursor(event.seq) }, (params) =>
            readEventLog(db, filter, pageOf(params)),
          );
          return { ...connection, countAll: () => db.event.count({ where: eventLogWhere(filter) }) };
        },
      },
      {
        name: 'EventLogConnection',
        fields: (c) => ({
          totalCount: c.int({ resolve: (connection) => connection.countAll() }),
        }),
      },
      { name: 'EventLogEdge' },
    ),
  );

  for (const { model, owner, about } of historyOwners) registerHistoryField(builder, CrmEvent, model, model, owner, about);
}

type CrmEventRef = ObjectRef<Builder['$inferSchemaTypes'], RecordedEvent>;

/**
 * `X.history`: the events about a record (or naming a customer), newest first, batched per page of records. `type` is
 * the object's registered type (a model name, or a custom object's variant ref).
 */
export function registerHistoryField(builder: Builder, CrmEvent: CrmEventRef, type: unknown, name: string, owner: HistoryOwner, about: string) {
  builder.prismaObjectField(type as never, 'history', (t) =>
    (t as unknown as PothosSchemaTypes.PrismaObjectFieldBuilder<never, never, never>).connection(
      {
        type: CrmEvent,
        select: { id: true },
        description:
          `The audit trail, newest first: ${about}. Each \`*.updated\` event's payload has \`changes\`: every ` +
          'changed field with its old and new value. Batched: a page of records costs one statement.',
        args: { types: t.arg.stringList({ required: false, description: 'Only these event types.' }) },
        resolve: async (record: { id: string }, args: { types?: readonly string[] | null; first?: number | null; last?: number | null; after?: string | null; before?: string | null }, context: GraphContext, info: GraphQLResolveInfo) => {
          const loaders = historyLoadersOf(context, owner);
          const types = args.types?.length ? args.types : null;
          const hiddenTypes = context.permissions ? eventReadersOf(info.schema).hiddenTypes(context.permissions) : [];
          const connection = await resolveCursorConnection<Promise<RecordedEvent[]>>({ args, ...PAGE_SIZES, toCursor: (event: RecordedEvent) => eventCursor(event.seq) }, (params) =>
            loaders.pages.load({ customerId: record.id, page: pageOf(params), types, hiddenTypes }),
          );
          return { ...connection, countAll: () => loaders.counts.load({ customerId: record.id, types, hiddenTypes }) };
        },
      } as never,
      {
        name: `${name}HistoryConnection`,
        fields: (c: PothosSchemaTypes.ObjectFieldBuilder<never, { countAll: () => Promise<number> }>) => ({
          totalCount: (c as unknown as { int: (o: object) => unknown }).int({ resolve: (connection: { countAll: () => Promise<number> }) => connection.countAll() }),
        }),
      } as never,
      { name: `${name}HistoryEdge` } as never,
    ) as never,
  );
}
