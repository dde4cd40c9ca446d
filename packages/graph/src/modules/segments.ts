import {
  addSegmentMembers,
  createSegment,
  deleteSegment,
  liveMembership,
  removeSegmentMembers,
  type SegmentMembersChange,
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
import type { Enums } from './enums.js';
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

/**
 * Saved segments: CRUD, STATIC segments' members by hand, live member counts, `Customer.segments`, CSV export
 * (docs/analytics.md, "Saved segments").
 */
export function registerSegments(builder: Builder, enums: Enums, objects: DeclaredObjects) {
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
      description: 'Its members now (FILTER: the customers matching, updated in the transaction of every change; STATIC: those added); trashed customers are not counted.',
      resolve: (segment, _args, ctx) => loadersOf(ctx).counts.load(segment.id),
    }),
    members: t.relatedConnection('members', {
      cursor: 'segmentId_customerId',
      totalCount: true,
      type: SegmentMemberRef,
      // A STATIC segment keeps a trashed customer's row (it is a member again when restored): not a member meanwhile.
      query: () => ({ where: liveMembership, orderBy: [{ enteredAt: 'asc' }, { customerId: 'asc' }] }),
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
      kind: t.field({ type: enums.SegmentKind, description: 'FILTER (the default): its members are its filter’s matches; STATIC: added and removed by hand, no filter.' }),
      filter: t.field({ type: CustomerFilter, description: 'The customer filter (the same language as `customers(filter:)`): required for FILTER, refused for STATIC.' }),
    }),
  });
  const UpdateSegmentInput = builder.inputType('UpdateSegmentInput', {
    fields: (t) => ({
      id: t.id({ required: true }),
      name: t.string(),
      kind: t.field({ type: enums.SegmentKind, description: 'Turns it STATIC (its members stay, its filter goes) or FILTER (give its filter: the members are recomputed).' }),
      filter: t.field({ type: CustomerFilter }),
    }),
  });
  const SegmentMembersInput = (name: string, verb: string) =>
    builder.inputType(name, {
      fields: (t) => ({
        segmentId: t.id({ required: true, description: 'A STATIC segment.' }),
        customerIds: t.idList({ required: true, description: `The customers to ${verb} (at most 1,000; a customer named twice counts once).` }),
      }),
    });
  const AddSegmentMembersInput = SegmentMembersInput('AddSegmentMembersInput', 'add');
  const RemoveSegmentMembersInput = SegmentMembersInput('RemoveSegmentMembersInput', 'remove');
  const SegmentMembersPayload = (name: string, changed: string, unchanged: string, says: [string, string]) =>
    builder.objectRef<SegmentMembersChange>(name).implement({
      fields: (t) => ({
        segment: t.field({ type: SegmentRef, resolve: (change) => change.segment }),
        [changed]: t.int({ description: says[0], resolve: (change) => change.changed }),
        [unchanged]: t.int({ description: says[1], resolve: (change) => change.unchanged }),
      }),
    });
  const AddSegmentMembersPayload = SegmentMembersPayload('AddSegmentMembersPayload', 'added', 'alreadyMembers', [
    'Customers that entered the segment (one segment.entered each).',
    'Customers that were members already (nothing written, no event).',
  ]);
  const RemoveSegmentMembersPayload = SegmentMembersPayload('RemoveSegmentMembersPayload', 'removed', 'notMembers', [
    'Customers that left the segment (one segment.left each).',
    'Customers that were not members (nothing written, no event).',
  ]);
  /** The input's ids as row ids (BAD_USER_INPUT naming the id that is not a global id of its type). */
  const membersOf = (input: { segmentId: string | number; customerIds: readonly (string | number)[] }) => ({
    segmentId: rowId(String(input.segmentId), 'Segment', 'segmentId'),
    customerIds: input.customerIds.map((id, i) => rowId(String(id), 'Customer', `customerIds.${i}`)),
  });
  /** A mutation that changes a STATIC segment's members, all or none, by `change` (core's add or remove). */
  const membersField = (
    t: Parameters<Parameters<Builder['mutationFields']>[0]>[0],
    type: typeof AddSegmentMembersPayload,
    input: typeof AddSegmentMembersInput,
    change: typeof addSegmentMembers,
    description: string,
  ) =>
    t.field({
      type,
      authScopes: { member: true },
      description,
      args: { input: t.arg({ type: input, required: true }) },
      resolve: (_root, args, ctx) => change(callerOf(ctx), membersOf(args.input)),
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
        segment: await createSegment(callerOf(ctx), { name: input.name, kind: input.kind ?? undefined, filter: input.filter ?? undefined }),
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
          kind: input.kind ?? undefined,
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
    addSegmentMembers: membersField(t, AddSegmentMembersPayload, AddSegmentMembersInput, addSegmentMembers, 'Adds customers to a STATIC segment, all or none (a FILTER segment is BAD_USER_INPUT on segmentId: its members follow its filter).'),
    removeSegmentMembers: membersField(t, RemoveSegmentMembersPayload, RemoveSegmentMembersInput, removeSegmentMembers, 'Removes customers from a STATIC segment, all or none (a FILTER segment is BAD_USER_INPUT on segmentId).'),
  }));
}
