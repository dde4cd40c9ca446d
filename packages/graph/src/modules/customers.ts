import {
  createCustomer,
  customerAnalyticsWhere,
  customerWhere,
  updateCustomer,
  type CustomerFilter,
} from '@crm/core';
import type { Prisma } from '@crm/db';
import type { Builder } from '../builder.js';
import { orderedBy } from '../relation-order.js';
import { callerOf } from '../caller.js';
import { optionalRowId, rowId } from '../ids.js';
import { payloadType } from '../payload.js';
import { registerAnalyticsInputs, toAnalyticsFilter } from './analytics-inputs.js';
import type { Enums } from './enums.js';
import type { RangeInputs } from './inputs.js';

const orderFields = {
  NAME: 'name',
  CREATED_AT: 'createdAt',
  UPDATED_AT: 'updatedAt',
  LIFETIME_VALUE: 'lifetimeValue',
  LAST_ORDER_AT: 'lastOrderAt',
  PREDICTED_LIFETIME_VALUE: 'predictedLifetimeValue',
  PROBABILITY_ALIVE: 'probabilityAlive',
} as const;

/** The `CustomerFilter` input of each builder, for modules that take a customer filter too (saved segments). */
export const customerFilterInputs = new WeakMap<Builder, ReturnType<Builder['inputType']>>();

/** Customers without orders (or without a score) sort last either way; the other sort fields are never null. */
function customerOrder(field: (typeof orderFields)[keyof typeof orderFields], sort: 'asc' | 'desc'): Prisma.CustomerOrderByWithRelationInput {
  // The analytic sorts read the fit's copies on Customer (indexed, NULLS LAST), not the joined score.
  const nullable = field === 'lastOrderAt' || field === 'predictedLifetimeValue' || field === 'probabilityAlive';
  return nullable ? { [field]: { sort, nulls: 'last' } } : { [field]: sort };
}

export function registerCustomers(builder: Builder, enums: Enums, ranges: RangeInputs) {
  const analytics = registerAnalyticsInputs(builder);
  builder.prismaNode('Customer', {
    id: { field: 'id' },
    description: 'A person who is, was or may become a customer. The 360-degree view hangs off it.',
    fields: (t) => ({
      name: t.exposeString('name'),
      email: t.exposeString('email', { nullable: true }),
      phone: t.exposeString('phone', { nullable: true }),
      lifecycleStage: t.expose('lifecycleStage', { type: enums.LifecycleStage }),
      stageChangedAt: t.expose('stageChangedAt', { type: 'DateTime' }),
      churnReason: t.exposeString('churnReason', { nullable: true }),
      source: t.expose('source', { type: enums.Channel, nullable: true }),
      tags: t.exposeStringList('tags'),
      externalRef: t.exposeString('externalRef', { nullable: true }),
      attributes: t.expose('attributes', { type: 'JSON' }),
      annualWallet: t.expose('annualWallet', { type: 'Decimal', nullable: true, description: 'Estimated yearly spend in our category.' }),
      lifetimeValue: t.expose('lifetimeValue', { type: 'Decimal', description: 'Sum of the customer’s orders.' }),
      orderCount: t.exposeInt('orderCount'),
      firstOrderAt: t.expose('firstOrderAt', { type: 'DateTime', nullable: true }),
      lastOrderAt: t.expose('lastOrderAt', { type: 'DateTime', nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      company: t.relation('company', { nullable: true }),
      owner: t.relation('owner', { nullable: true }),
      stageHistory: t.relation('stageChanges', {
        description: 'Every lifecycle stage change, oldest first.',
        ...orderedBy({ changedAt: 'asc' }, { id: 'asc' }),
      }),
      activities: t.relatedConnection('activities', {
        cursor: 'id',
        description: 'The timeline: interactions on every channel, newest first.',
        totalCount: true,
        ...orderedBy({ occurredAt: 'desc' }, { id: 'desc' }),
      }),
      orders: t.relatedConnection('orders', {
        cursor: 'id',
        totalCount: true,
        ...orderedBy({ orderedAt: 'desc' }, { id: 'desc' }),
      }),
      deals: t.relatedConnection('deals', {
        cursor: 'id',
        totalCount: true,
        args: { status: t.arg({ type: enums.DealStatus }) },
        query: (args) => ({ where: args.status ? { status: args.status } : {}, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
      }),
      tickets: t.relatedConnection('tickets', {
        cursor: 'id',
        totalCount: true,
        ...orderedBy({ createdAt: 'desc' }, { id: 'desc' }),
      }),
      tasks: t.relatedConnection('tasks', {
        cursor: 'id',
        totalCount: true,
        ...orderedBy({ createdAt: 'desc' }, { id: 'desc' }),
      }),
      surveyResponses: t.relatedConnection('surveyResponses', {
        cursor: 'id',
        totalCount: true,
        ...orderedBy({ respondedAt: 'desc' }, { id: 'desc' }),
      }),
      campaignResponses: t.relatedConnection('campaignResponses', {
        cursor: 'id',
        totalCount: true,
        ...orderedBy({ occurredAt: 'desc' }, { id: 'desc' }),
      }),
    }),
  });

  builder.prismaObject('LifecycleChange', {
    fields: (t) => ({
      fromStage: t.expose('fromStage', { type: enums.LifecycleStage, nullable: true }),
      toStage: t.expose('toStage', { type: enums.LifecycleStage }),
      reason: t.exposeString('reason', { nullable: true }),
      actor: t.exposeString('actorId', { nullable: true }),
      changedAt: t.expose('changedAt', { type: 'DateTime' }),
    }),
  });

  const CustomerFilterInput = builder.inputType('CustomerFilter', {
    fields: (t) => ({
      lifecycleStage: t.field({ type: [enums.LifecycleStage], description: 'Any of these stages.' }),
      companyId: t.id(),
      ownerId: t.id(),
      tag: t.string({ description: 'Has this tag.' }),
      tagsAny: t.stringList({ description: 'Has at least one of these tags.' }),
      source: t.field({ type: [enums.Channel] }),
      createdAt: t.field({ type: ranges.DateTimeRange }),
      lifetimeValue: t.field({ type: ranges.DecimalRange }),
      lastOrderAt: t.field({ type: ranges.DateTimeRange }),
      predictedLifetimeValue: t.field({ type: ranges.DecimalRange, description: 'As of the latest lifetime-value fit.' }),
      probabilityAlive: t.field({ type: analytics.FloatRange, description: '0 to 1, as of the latest lifetime-value fit.' }),
      rfmSegment: t.field({ type: [analytics.RfmSegment], description: 'Any of these RFM segments.' }),
    }),
  });
  customerFilterInputs.set(builder, CustomerFilterInput);
  const CustomerOrderField = builder.enumType('CustomerOrderField', { values: Object.keys(orderFields) as (keyof typeof orderFields)[] });
  const CustomerOrderBy = builder.inputType('CustomerOrderBy', {
    fields: (t) => ({
      field: t.field({ type: CustomerOrderField, required: true }),
      direction: t.field({ type: enums.OrderDirection, required: true, defaultValue: 'ASC' }),
    }),
  });

  type FilterArg = typeof CustomerFilterInput.$inferInput | null | undefined;
  const where = (filter: FilterArg, search: string | null | undefined): Prisma.CustomerWhereInput => {
    const base = customerWhere(toFilter(filter), search);
    const scored = filter ? customerAnalyticsWhere(toAnalyticsFilter(filter)) : {};
    return Object.keys(scored).length ? { AND: [base, scored] } : base;
  };
  const toFilter = (filter: FilterArg): CustomerFilter | null =>
    filter
      ? {
          lifecycleStage: filter.lifecycleStage,
          companyId: optionalRowId(filter.companyId, 'Company', 'filter.companyId'),
          ownerId: optionalRowId(filter.ownerId, 'User', 'filter.ownerId'),
          tag: filter.tag,
          tagsAny: filter.tagsAny,
          source: filter.source,
          createdAfter: filter.createdAt?.from,
          createdBefore: filter.createdAt?.to,
          lifetimeValueMin: filter.lifetimeValue?.min,
          lifetimeValueMax: filter.lifetimeValue?.max,
          lastOrderAfter: filter.lastOrderAt?.from,
          lastOrderBefore: filter.lastOrderAt?.to,
        }
      : null;

  const listArgs = (t: PothosSchemaTypes.QueryFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<import('../builder.js').SchemaTypes>, {}>) => ({
    filter: t.arg({ type: CustomerFilterInput }),
    orderBy: t.arg({ type: [CustomerOrderBy] }),
    search: t.arg.string({ description: 'Matches name, email or company name (case-insensitive, substring).' }),
  });

  builder.queryFields((t) => ({
    customer: t.prismaField({
      type: 'Customer',
      nullable: true,
      authScopes: { authenticated: true },
      args: { id: t.arg.id({ required: true }) },
      resolve: (query, _root, args, ctx) =>
        callerOf(ctx).db.customer.findUnique({ ...query, where: { id: rowId(args.id, 'Customer', 'id') } }),
    }),
    customers: t.prismaConnection(
      {
        type: 'Customer',
        cursor: 'id',
        authScopes: { authenticated: true },
        args: listArgs(t),
        resolve: (query, _root, args, ctx) =>
          callerOf(ctx).db.customer.findMany({
            ...query,
            where: where(args.filter, args.search),
            orderBy: [
              ...(args.orderBy ?? []).map((o) => customerOrder(orderFields[o.field], o.direction === 'DESC' ? 'desc' : 'asc')),
              { id: 'asc' },
            ],
          }),
        totalCount: (_connection, args, ctx) =>
          callerOf(ctx).db.customer.count({ where: where(args.filter, args.search) }),
      },
    ),
  }));

  const customerInputFields = (t: PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<import('../builder.js').SchemaTypes>, 'InputObject'>) => ({
    email: t.string(),
    phone: t.string(),
    lifecycleStage: t.field({ type: enums.LifecycleStage }),
    churnReason: t.string(),
    source: t.field({ type: enums.Channel }),
    companyId: t.id(),
    ownerId: t.id(),
    tags: t.stringList(),
    externalRef: t.string(),
    attributes: t.field({ type: 'JSON' }),
    annualWallet: t.field({ type: 'Decimal' }),
  });
  const CreateCustomerInput = builder.inputType('CreateCustomerInput', {
    fields: (t) => ({ name: t.string({ required: true }), ...customerInputFields(t) }),
  });
  const UpdateCustomerInput = builder.inputType('UpdateCustomerInput', {
    description: 'Fields left out stay as they are; null clears an optional field.',
    fields: (t) => ({ id: t.id({ required: true }), name: t.string(), ...customerInputFields(t) }),
  });

  const CreateCustomerPayload = payloadType(builder, 'CreateCustomerPayload', 'customer', 'Customer');
  const UpdateCustomerPayload = payloadType(builder, 'UpdateCustomerPayload', 'customer', 'Customer');

  type Refs = { companyId?: string | null; ownerId?: string | null };
  const decodeRefs = (input: Refs) => ({
    companyId: optionalRowId(input.companyId, 'Company', 'companyId'),
    ownerId: optionalRowId(input.ownerId, 'User', 'ownerId'),
  });

  builder.mutationFields((t) => ({
    createCustomer: t.field({
      type: CreateCustomerPayload,
      args: { input: t.arg({ type: CreateCustomerInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        customer: await createCustomer(callerOf(ctx), { ...input, ...decodeRefs(input) }),
      }),
    }),
    updateCustomer: t.field({
      type: UpdateCustomerPayload,
      args: { input: t.arg({ type: UpdateCustomerInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        customer: await updateCustomer(callerOf(ctx), { ...input, id: rowId(input.id, 'Customer', 'id'), ...decodeRefs(input) }),
      }),
    }),
  }));
}
