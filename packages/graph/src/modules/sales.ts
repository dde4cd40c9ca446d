import { pipelineOpenValue, pipelineWeightedValue } from '@crm/core';
import type { Prisma } from '@crm/db';
import type { Builder } from '../builder.js';
import { orderedBy } from '../relation-order.js';
import { callerOf } from '../caller.js';
import { rowId } from '../ids.js';
import type { Enums } from './enums.js';
import { registerSalesMutations } from './sales-mutations.js';

const stageOrder = [{ position: 'asc' }, { id: 'asc' }] satisfies Prisma.StageOrderByWithRelationInput[];

/** Opportunity management: pipelines, their ordered stages, and deals. */
export function registerSales(builder: Builder, enums: Enums) {
  builder.prismaNode('Pipeline', {
    id: { field: 'id' },
    fields: (t) => ({
      name: t.exposeString('name'),
      isDefault: t.exposeBoolean('isDefault'),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      stages: t.relation('stages', {
        description: 'Always in pipeline order (ascending `position`, the order the stages were created in).',
        query: { orderBy: stageOrder },
      }),
      openValue: t.field({
        type: 'Decimal',
        description: 'Sum of the amounts of the open deals in this pipeline.',
        resolve: (pipeline, _args, ctx) => pipelineOpenValue(callerOf(ctx).db, pipeline.id),
      }),
      weightedValue: t.field({
        type: 'Decimal',
        description: 'Sum over the open deals of amount × their stage’s probability / 100 (the forecast).',
        // The probabilities come with the pipeline row (same ordering as `stages`, so Prisma loads the relation once);
        // the deal sums are one grouped aggregate.
        select: { stages: { orderBy: stageOrder, select: { id: true, probability: true } } },
        resolve: (pipeline, _args, ctx) => pipelineWeightedValue(callerOf(ctx).db, pipeline.id, pipeline.stages),
      }),
      deals: t.relatedConnection('deals', {
        cursor: 'id',
        totalCount: true,
        args: { status: t.arg({ type: enums.DealStatus }) },
        query: (args) => ({ where: args.status ? { status: args.status } : {}, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
      }),
    }),
  });

  builder.prismaNode('Stage', {
    id: { field: 'id' },
    fields: (t) => ({
      name: t.exposeString('name'),
      position: t.exposeInt('position'),
      probability: t.exposeInt('probability', { description: 'Win probability in percent.' }),
      isWon: t.exposeBoolean('isWon'),
      isLost: t.exposeBoolean('isLost'),
      pipeline: t.relation('pipeline'),
      deals: t.relatedConnection('deals', { cursor: 'id', totalCount: true, ...orderedBy({ stageChangedAt: 'asc' }, { id: 'asc' }) }),
    }),
  });

  builder.prismaNode('Deal', {
    id: { field: 'id' },
    fields: (t) => ({
      title: t.exposeString('title'),
      amount: t.expose('amount', { type: 'Decimal' }),
      currency: t.exposeString('currency'),
      status: t.expose('status', { type: enums.DealStatus }),
      expectedCloseAt: t.expose('expectedCloseAt', { type: 'DateTime', nullable: true }),
      closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true }),
      lostReason: t.exposeString('lostReason', { nullable: true }),
      stageChangedAt: t.expose('stageChangedAt', { type: 'DateTime' }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      customer: t.relation('customer'),
      company: t.relation('company', { nullable: true }),
      pipeline: t.relation('pipeline'),
      stage: t.relation('stage'),
      owner: t.relation('owner', { nullable: true }),
      activities: t.relatedConnection('activities', { cursor: 'id', totalCount: true, ...orderedBy({ occurredAt: 'desc' }, { id: 'desc' }) }),
      tasks: t.relatedConnection('tasks', { cursor: 'id', totalCount: true, ...orderedBy({ createdAt: 'desc' }, { id: 'desc' }) }),
    }),
  });

  builder.queryFields((t) => ({
    pipelines: t.prismaField({
      type: ['Pipeline'],
      authScopes: { authenticated: true },
      description: 'Every pipeline of the workspace, the default one first.',
      resolve: (query, _root, _args, ctx) =>
        callerOf(ctx).db.pipeline.findMany({ ...query, orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }] }),
    }),
    deal: t.prismaField({
      type: 'Deal',
      nullable: true,
      authScopes: { authenticated: true },
      args: { id: t.arg.id({ required: true }) },
      resolve: (query, _root, args, ctx) => callerOf(ctx).db.deal.findUnique({ ...query, where: { id: rowId(args.id, 'Deal', 'id') } }),
    }),
    deals: t.prismaConnection({
      type: 'Deal',
      cursor: 'id',
      authScopes: { authenticated: true },
      args: { status: t.arg({ type: enums.DealStatus }), pipelineId: t.arg.id(), stageId: t.arg.id(), ownerId: t.arg.id() },
      resolve: (query, _root, args, ctx) =>
        callerOf(ctx).db.deal.findMany({ ...query, where: dealWhere(args), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
      totalCount: (_c, args, ctx) => callerOf(ctx).db.deal.count({ where: dealWhere(args) }),
    }),
  }));

  registerSalesMutations(builder, enums);
}

function dealWhere(args: { status?: 'OPEN' | 'WON' | 'LOST' | null; pipelineId?: string | null; stageId?: string | null; ownerId?: string | null }) {
  return {
    ...(args.status ? { status: args.status } : {}),
    ...(args.pipelineId ? { pipelineId: rowId(args.pipelineId, 'Pipeline', 'pipelineId') } : {}),
    ...(args.stageId ? { stageId: rowId(args.stageId, 'Stage', 'stageId') } : {}),
    ...(args.ownerId ? { ownerId: rowId(args.ownerId, 'User', 'ownerId') } : {}),
  };
}
