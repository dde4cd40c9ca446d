import { type CustomerSatisfaction, satisfactionByCustomer } from '@crm/core';
import DataLoader from 'dataloader';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';

/** One loader per request (keyed by its context object), so a batch never mixes callers or workspaces. */
const loaders = new WeakMap<GraphContext, DataLoader<string, CustomerSatisfaction>>();

function satisfactionLoader(ctx: GraphContext): DataLoader<string, CustomerSatisfaction> {
  let loader = loaders.get(ctx);
  if (!loader) {
    const caller = callerOf(ctx);
    // No memoising: a later mutation in the same request must not read a summary cached before it; batching stays.
    loader = new DataLoader((ids) => satisfactionByCustomer(caller, ids), { cache: false, maxBatchSize: 1000 });
    loaders.set(ctx, loader);
  }
  return loader;
}

/** `Customer.satisfaction`: the summary of a customer's CSAT and NPS answers, batched per page. */
export function registerSatisfaction(builder: Builder) {
  const NpsCategory = builder.enumType('NpsCategory', {
    description: 'NPS buckets: PROMOTER 9-10, PASSIVE 7-8, DETRACTOR 0-6.',
    values: ['PROMOTER', 'PASSIVE', 'DETRACTOR'] as const,
  });

  const CustomerSatisfactionType = builder.objectRef<CustomerSatisfaction>('CustomerSatisfaction').implement({
    description: 'A summary of the customer’s satisfaction survey answers.',
    fields: (t) => ({
      averageCsat: t.exposeFloat('averageCsat', { nullable: true, description: 'Mean CSAT score (1-5, two decimals); null without CSAT answers.' }),
      latestNps: t.exposeInt('latestNps', { nullable: true, description: 'The most recent NPS score (0-10).' }),
      npsCategory: t.expose('npsCategory', { type: NpsCategory, nullable: true, description: 'The bucket of latestNps.' }),
      responses: t.exposeInt('responses', { description: 'Number of survey answers, CSAT and NPS.' }),
    }),
  });

  builder.prismaObjectField('Customer', 'satisfaction', (t) =>
    t.field({
      type: CustomerSatisfactionType,
      select: { id: true },
      // All customers resolved in one request share one grouped query.
      resolve: (customer, _args, ctx) => satisfactionLoader(ctx).load(customer.id),
    }),
  );
}
