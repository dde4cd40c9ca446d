import {
  createSegment,
  deleteSegment,
  segmentMemberCounts,
  segmentsOfCustomers,
  updateSegment,
} from '@crm/core';
import type { Segment } from '@crm/db';
import DataLoader from 'dataloader';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import { globalId, rowId } from '../ids.js';
import { deletedPayloadType, payloadType } from '../payload.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';
import { declaredRef } from '../objects/declared-ref.js';
import { exportText } from '../export/export-formats.js';
import { planExport } from '../export/export-plan.js';

/** The columns of `Segment.csv`; the figures of the latest lifetime-value fit come from the customer's score. */
const segmentCsvColumns = [
  'id', 'name', 'email', 'phone', 'lifecycleStage', 'lifetimeValue', 'orderCount', 'lastOrderAt',
  'score.predictedLifetimeValue', 'score.probabilityAlive', 'score.rfmSegment',
];

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
export function registerSegments(builder: Builder, objects: DeclaredObjects) {
  const CustomerFilter = objects.inputs.filter('Customer');

  const SegmentMemberRef = builder.prismaObject('SegmentMember', {
    fields: (t) => ({
      customer: t.relation('customer'),
      enteredAt: t.expose('enteredAt', { type: 'DateTime' }),
    }),
  });

  // Segment is declared (core/src/objects/core/segments.ts): name, filter and dates come from the declaration.
  objects.register('Segment');
  const SegmentRef = declaredRef(builder, 'Segment');
  builder.prismaObjectFields('Segment', (t) => ({
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
      description:
        'The members as CSV (RFC 4180, header row; see docs/analytics.md for the columns). For large segments stream `GET /export/customers?filter={"inSegment":"<id>"}` instead (docs/data.md).',
      resolve: async (segment, _args, ctx) => {
        // The export of every object, with this segment's columns: one mechanism (docs/data.md, "Export").
        const plan = planExport(objects.catalog, callerOf(ctx).session, {
          object: 'Customer',
          filter: { inSegment: globalId('Segment', segment.id) },
          orderBy: [{ field: 'NAME' }],
          fields: segmentCsvColumns,
        });
        const run = (sql: string, params: readonly unknown[]) => callerOf(ctx).db.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...params);
        let csv = '';
        for await (const chunk of exportText(plan.columns, plan.pages(run), 'csv', { header: (column) => column.path.replace(/^score\./, '') })) csv += chunk;
        return csv;
      },
    }),
  }));

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
      filter: t.field({ type: CustomerFilter, required: true, description: 'The customer filter (the same language as `customers(filter:)`).' }),
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
        segment: await createSegment(callerOf(ctx), { name: input.name, filter: input.filter }),
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
          filter: input.filter === undefined || input.filter === null ? undefined : input.filter,
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
