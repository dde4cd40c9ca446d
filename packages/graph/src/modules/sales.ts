import { pipelineOpenValue, pipelineWeightedValue } from '@crm/core';
import type { Prisma } from '@crm/db';
import type { Builder } from '../builder.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';
import { callerOf } from '../caller.js';
import type { Enums } from './enums.js';
import { registerSalesMutations } from './sales-mutations.js';

const stageOrder = [{ position: 'asc' }, { id: 'asc' }] satisfies Prisma.StageOrderByWithRelationInput[];

/** Opportunity management: pipelines, their ordered stages, and deals. */
export function registerSales(builder: Builder, enums: Enums, objects: DeclaredObjects) {
  objects.register('Pipeline');
  builder.prismaObjectFields('Pipeline', (t) => ({
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
  }));
  objects.register('Stage');
  objects.register('Deal');

  builder.queryFields((t) => ({
    pipelines: t.prismaField({
      type: ['Pipeline'],
      authScopes: { authenticated: true },
      description: 'Every pipeline of the workspace, the default one first.',
      resolve: (query, _root, _args, ctx) =>
        callerOf(ctx).db.pipeline.findMany({ ...query, orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }] }),
    }),
  }));

  registerSalesMutations(builder, enums);
}
