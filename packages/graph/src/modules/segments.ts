import {
  createSegment,
  deleteSegment,
  exportSegmentCsv,
  type SegmentFilter,
  segmentMemberCounts,
  segmentsOfCustomers,
  updateSegment,
} from '@crm/core';
import type { Segment } from '@crm/db';
import DataLoader from 'dataloader';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import { globalId, optionalRowId, rowId } from '../ids.js';
import { deletedPayloadType, payloadType } from '../payload.js';
import { customerFilterInputs } from './customers.js';

/** The `CustomerFilter` input as GraphQL hands it over (see customers.ts). */
interface CustomerFilterArg {
  lifecycleStage?: string[] | null;
  companyId?: string | null;
  ownerId?: string | null;
  tag?: string | null;
  tagsAny?: string[] | null;
  source?: string[] | null;
  createdAt?: { from?: Date | null; to?: Date | null } | null;
  lifetimeValue?: { min?: string | null; max?: string | null } | null;
  lastOrderAt?: { from?: Date | null; to?: Date | null } | null;
  predictedLifetimeValue?: { min?: string | null; max?: string | null } | null;
  probabilityAlive?: { min?: number | null; max?: number | null } | null;
  rfmSegment?: string[] | null;
}

/** The GraphQL filter as the stored JSON (row ids, ISO instants); core validates it. */
function toStoredFilter(f: CustomerFilterArg | null | undefined): Record<string, unknown> {
  if (!f) return {};
  const iso = (d: Date | null | undefined) => d?.toISOString();
  const stored: Record<keyof SegmentFilter, unknown> = {
    lifecycleStage: f.lifecycleStage,
    companyId: optionalRowId(f.companyId, 'Company', 'filter.companyId'),
    ownerId: optionalRowId(f.ownerId, 'User', 'filter.ownerId'),
    tag: f.tag,
    tagsAny: f.tagsAny,
    source: f.source,
    createdAfter: iso(f.createdAt?.from),
    createdBefore: iso(f.createdAt?.to),
    lifetimeValueMin: f.lifetimeValue?.min,
    lifetimeValueMax: f.lifetimeValue?.max,
    lastOrderAfter: iso(f.lastOrderAt?.from),
    lastOrderBefore: iso(f.lastOrderAt?.to),
    predictedLifetimeValueMin: f.predictedLifetimeValue?.min,
    predictedLifetimeValueMax: f.predictedLifetimeValue?.max,
    probabilityAliveMin: f.probabilityAlive?.min,
    probabilityAliveMax: f.probabilityAlive?.max,
    rfmSegment: f.rfmSegment,
  };
  return Object.fromEntries(Object.entries(stored).filter(([, v]) => v !== null && v !== undefined));
}

/** Per-request loaders: member counts of a list of segments, segments of a page of customers. */
const loaders = new WeakMap<GraphContext, { counts: DataLoader<string, number>; ofCustomer: DataLoader<string, Segment[]> }>();
function loadersOf(ctx: GraphContext) {
  let found = loaders.get(ctx);
  if (!found) {
    found = {
      counts: new DataLoader(async (ids) => {
        const counts = await segmentMemberCounts(callerOf(ctx), ids);
        return ids.map((id) => counts.get(id) ?? 0);
      }, { maxBatchSize: 100 }),
      ofCustomer: new DataLoader(async (ids) => {
        const byCustomer = await segmentsOfCustomers(callerOf(ctx), ids);
        return ids.map((id) => byCustomer.get(id) ?? []);
      }, { maxBatchSize: 100 }),
    };
    loaders.set(ctx, found);
  }
  return found;
}

/** Saved segments: CRUD, live member counts, `Customer.segments`, CSV export (docs/analytics.md, "Saved segments"). */
export function registerSegments(builder: Builder) {
  const CustomerFilter = customerFilterInputs.get(builder);
  if (!CustomerFilter) throw new Error('registerSegments needs registerCustomers first');

  const SegmentMemberRef = builder.prismaObject('SegmentMember', {
    fields: (t) => ({
      customer: t.relation('customer'),
      enteredAt: t.expose('enteredAt', { type: 'DateTime' }),
    }),
  });

  const SegmentRef = builder.prismaNode('Segment', {
    id: { field: 'id' },
    description: 'A saved customer segment: a filter whose membership is kept current and announced with events.',
    fields: (t) => ({
      name: t.exposeString('name'),
      filter: t.expose('filter', { type: 'JSON', description: 'The stored filter (row ids, ISO instants).' }),
      memberCount: t.int({
        description: 'Customers matching now (membership is updated in the transaction of every change).',
        resolve: (segment, _args, ctx) => loadersOf(ctx).counts.load(segment.id),
      }),
      members: t.relatedConnection('members', {
        cursor: 'segmentId_customerId',
        totalCount: true,
        type: SegmentMemberRef,
        query: () => ({ orderBy: [{ enteredAt: 'asc' }, { customerId: 'asc' }] }),
      }),
      csv: t.string({
        description: 'The members as CSV (RFC 4180, header row; see docs/analytics.md for the columns).',
        resolve: (segment, _args, ctx) => exportSegmentCsv(callerOf(ctx), segment.id, (id) => globalId('Customer', id)),
      }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    }),
  });

  builder.prismaObjectField('Customer', 'segments', (t) =>
    t.field({
      type: [SegmentRef],
      select: { id: true },
      description: 'The saved segments the customer is in, by name.',
      resolve: (customer, _args, ctx) => loadersOf(ctx).ofCustomer.load(customer.id),
    }),
  );

  builder.queryFields((t) => ({
    segments: t.prismaField({
      type: [SegmentRef],
      authScopes: { authenticated: true },
      description: 'The saved segments, by name.',
      resolve: (query, _root, _args, ctx) => callerOf(ctx).db.segment.findMany({ ...query, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
    }),
  }));

  const CreateSegmentInput = builder.inputType('CreateSegmentInput', {
    fields: (t) => ({
      name: t.string({ required: true }),
      filter: t.field({ type: CustomerFilter, required: true, description: 'The customer filter, analytic fields included.' }),
    }),
  });
  const UpdateSegmentInput = builder.inputType('UpdateSegmentInput', {
    fields: (t) => ({ id: t.id({ required: true }), name: t.string(), filter: t.field({ type: CustomerFilter }) }),
  });
  const DeleteSegmentInput = builder.inputType('DeleteSegmentInput', { fields: (t) => ({ id: t.id({ required: true }) }) });
  const CreateSegmentPayload = payloadType(builder, 'CreateSegmentPayload', 'segment', 'Segment');
  const UpdateSegmentPayload = payloadType(builder, 'UpdateSegmentPayload', 'segment', 'Segment');
  const DeleteSegmentPayload = deletedPayloadType(builder, 'DeleteSegmentPayload', 'deletedSegmentId');

  builder.mutationFields((t) => ({
    createSegment: t.field({
      type: CreateSegmentPayload,
      authScopes: { member: true },
      args: { input: t.arg({ type: CreateSegmentInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        segment: await createSegment(callerOf(ctx), { name: input.name, filter: toStoredFilter(input.filter as CustomerFilterArg) }),
      }),
    }),
    updateSegment: t.field({
      type: UpdateSegmentPayload,
      authScopes: { member: true },
      args: { input: t.arg({ type: UpdateSegmentInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        segment: await updateSegment(callerOf(ctx), {
          id: rowId(input.id, 'Segment', 'id'),
          name: input.name ?? undefined,
          filter: input.filter === undefined || input.filter === null ? undefined : toStoredFilter(input.filter as CustomerFilterArg),
        }),
      }),
    }),
    deleteSegment: t.field({
      type: DeleteSegmentPayload,
      authScopes: { member: true },
      args: { input: t.arg({ type: DeleteSegmentInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const segment = await deleteSegment(callerOf(ctx), rowId(input.id, 'Segment', 'id'));
        return { deletedId: globalId('Segment', segment.id) };
      },
    }),
  }));
}
