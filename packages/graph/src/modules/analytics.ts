import {
  type AnalyticsSettings,
  type CustomerAnalytics,
  type CustomerScoreFigures,
  fitClvModel,
  latestClvModel,
  loadAnalyticsSettings,
  loadCustomerAnalytics,
  updateAnalyticsSettings,
} from '@crm/core';
import DataLoader from 'dataloader';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import { payloadType } from '../payload.js';
import { registerOrderImport } from './analytics-import.js';
import type { Enums } from './enums.js';

/** One loader per request: a page of customers asks for its analytics in one batch. */
const loaders = new WeakMap<GraphContext, DataLoader<string, CustomerAnalytics | null>>();
function analyticsLoader(ctx: GraphContext) {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(
      async (ids) => {
        const found = await loadCustomerAnalytics(callerOf(ctx), ids);
        return ids.map((id) => found.get(id) ?? null);
      },
      { maxBatchSize: 100 },
    );
    loaders.set(ctx, loader);
  }
  return loader;
}

/** Lifetime value, RFM, profitability and share of wallet: per customer, the model, its settings, the import. */
export function registerAnalytics(builder: Builder, enums: Enums) {
  registerOrderImport(builder);
  const { RfmSegment } = enums;

  builder.prismaNode('ClvModel', {
    id: { field: 'id' },
    description: 'One fit of the lifetime-value models: BG/NBD (purchases, time in weeks) and Gamma-Gamma (spend).',
    fields: (t) => ({
      fittedAt: t.expose('fittedAt', { type: 'DateTime' }),
      calibrationEnd: t.expose('calibrationEnd', { type: 'DateTime', description: 'Purchases up to the end of this day were the data.' }),
      customers: t.exposeInt('customers', { description: 'Customers with a purchase by the calibration end.' }),
      repeatCustomers: t.exposeInt('repeatCustomers', { description: 'Of those, customers who bought on more than one day.' }),
      r: t.exposeFloat('r'),
      alpha: t.exposeFloat('alpha'),
      a: t.exposeFloat('a'),
      b: t.exposeFloat('b'),
      logLikelihood: t.exposeFloat('logLikelihood', { description: 'Of the BG/NBD fit.' }),
      p: t.exposeFloat('p', { nullable: true, description: 'Gamma-Gamma; null while no customer has a repeat purchase.' }),
      q: t.exposeFloat('q', { nullable: true }),
      gamma: t.exposeFloat('gamma', { nullable: true }),
      converged: t.exposeBoolean('converged'),
      durationMs: t.exposeInt('durationMs'),
      trigger: t.exposeString('trigger', { description: '`api`, `cli`, `background` (after purchases) or `month-end` (the month-end snapshot job).' }),
    }),
  });

  const Rfm = builder.objectRef<CustomerScoreFigures['rfm']>('Rfm').implement({
    description: 'Quintile scores 1–5 among the workspace’s buying customers (5 = most recent, most frequent, highest spend).',
    fields: (t) => ({
      recency: t.exposeInt('recency'),
      frequency: t.exposeInt('frequency'),
      monetary: t.exposeInt('monetary'),
      segment: t.field({ type: RfmSegment, resolve: (rfm) => rfm.segment }),
      segmentName: t.string({ resolve: (rfm) => rfm.segment, description: 'The segment as people write it ("Can\'t lose them").' }),
    }),
  });

  const CustomerAnalyticsType = builder.objectRef<CustomerAnalytics>('CustomerAnalytics').implement({
    description:
      'Historical figures as of now; predictions and RFM as of the latest lifetime-value fit (null before the first fit or for a customer who had not bought by then).',
    fields: (t) => {
      const score = <T>(pick: (s: CustomerScoreFigures) => T) => (a: CustomerAnalytics) => (a.score ? pick(a.score) : null);
      return {
        historicalRevenue: t.field({ type: 'Decimal', resolve: (a) => a.historicalRevenue }),
        productCost: t.field({ type: 'Decimal', resolve: (a) => a.productCost, description: 'Recorded cost, or revenue × (1 − margin) where the catalog has none.' }),
        margin: t.field({ type: 'Decimal', resolve: (a) => a.margin, description: 'Revenue − product cost.' }),
        costToServe: t.field({ type: 'Decimal', resolve: (a) => a.costToServe, description: 'Tickets, activities and campaign contacts at the workspace’s unit costs.' }),
        profit: t.field({ type: 'Decimal', resolve: (a) => a.profit, description: 'Margin − cost to serve.' }),
        shareOfWallet: t.float({
          nullable: true,
          resolve: (a) => a.shareOfWallet,
          description: 'Our revenue of the last 365 days over the customer’s (else their company’s) annual wallet; null without an estimate.',
        }),
        probabilityAlive: t.float({ nullable: true, resolve: score((s) => s.probabilityAlive) }),
        expectedPurchases: t.float({
          nullable: true,
          args: { weeks: t.arg.int({ required: true }) },
          description: 'Purchases expected in the next `weeks` weeks (0–520) after the calibration end.',
          resolve: (a, args) => (a.score ? a.score.expectedPurchases(args.weeks) : null),
        }),
        expectedOrderValue: t.field({ type: 'Decimal', nullable: true, resolve: score((s) => s.expectedOrderValue) }),
        predictedLifetimeValue: t.field({
          type: 'Decimal',
          nullable: true,
          description: 'Discounted margin expected over the workspace’s horizon (residual value, not counting the past).',
          resolve: score((s) => s.predictedLifetimeValue),
        }),
        rfm: t.field({ type: Rfm, nullable: true, resolve: score((s) => s.rfm) }),
        scoredAt: t.field({ type: 'DateTime', nullable: true, resolve: score((s) => s.scoredAt) }),
        calibrationEnd: t.field({ type: 'DateTime', nullable: true, resolve: score((s) => s.calibrationEnd) }),
      };
    },
  });

  builder.prismaObjectField('Customer', 'analytics', (t) =>
    t.field({
      type: CustomerAnalyticsType,
      select: { id: true },
      resolve: async (customer, _args, ctx) => {
        const found = await analyticsLoader(ctx).load(customer.id);
        if (!found) throw new Error(`No analytics row for customer ${customer.id}`);
        return found;
      },
    }),
  );

  const AnalyticsSettingsType = builder.objectRef<AnalyticsSettings>('AnalyticsSettings').implement({
    fields: (t) => ({
      horizonMonths: t.exposeInt('horizonMonths'),
      monthlyDiscountRate: t.exposeFloat('monthlyDiscountRate'),
      margin: t.exposeFloat('margin', { description: 'Share of revenue kept (CLV, and product cost where the catalog has none).' }),
      ticketCost: t.float({ resolve: (s) => s.unitCosts.ticket }),
      activityCost: t.float({ resolve: (s) => s.unitCosts.activity }),
      campaignContactCost: t.float({ resolve: (s) => s.unitCosts.campaignContact }),
    }),
  });

  builder.queryFields((t) => ({
    clvModel: t.prismaField({
      type: 'ClvModel',
      nullable: true,
      authScopes: { authenticated: true },
      description: 'The current lifetime-value model (the newest fit); null before the first.',
      resolve: (_query, _root, _args, ctx) => latestClvModel(callerOf(ctx)),
    }),
    clvModels: t.prismaField({
      type: ['ClvModel'],
      authScopes: { authenticated: true },
      description: 'The history of fits, newest first.',
      args: { first: t.arg.int({ defaultValue: 10, description: 'At most 100.' }) },
      resolve: (query, _root, args, ctx) =>
        callerOf(ctx).db.clvModel.findMany({ ...query, orderBy: [{ fittedAt: 'desc' }, { id: 'desc' }], take: Math.max(0, Math.min(args.first ?? 10, 100)) }),
    }),
    analyticsSettings: t.field({
      type: AnalyticsSettingsType,
      authScopes: { authenticated: true },
      resolve: (_root, _args, ctx) => loadAnalyticsSettings(callerOf(ctx)),
    }),
  }));

  const RefreshClvModelInput = builder.inputType('RefreshClvModelInput', {
    fields: (t) => ({ asOf: t.field({ type: 'DateTime', description: 'Calibration end; defaults to now.' }) }),
  });
  const UpdateAnalyticsSettingsInput = builder.inputType('UpdateAnalyticsSettingsInput', {
    description: 'Fields left out keep their value. Takes effect at the next fit (profit figures at once).',
    fields: (t) => ({
      horizonMonths: t.int(),
      monthlyDiscountRate: t.float(),
      margin: t.float(),
      ticketCost: t.float(),
      activityCost: t.float(),
      campaignContactCost: t.float(),
    }),
  });
  const RefreshClvModelPayload = payloadType(builder, 'RefreshClvModelPayload', 'model', 'ClvModel');
  const UpdateAnalyticsSettingsPayload = builder.objectRef<{ settings: AnalyticsSettings }>('UpdateAnalyticsSettingsPayload').implement({
    fields: (t) => ({ settings: t.field({ type: AnalyticsSettingsType, resolve: (p) => p.settings }) }),
  });

  builder.mutationFields((t) => ({
    refreshClvModel: t.field({
      type: RefreshClvModelPayload,
      authScopes: { admin: true },
      description: 'Fits the lifetime-value model now and rewrites every customer’s score (it also refits by itself after purchases).',
      args: { input: t.arg({ type: RefreshClvModelInput, required: false }) },
      resolve: async (_root, { input }, ctx) => ({ model: await fitClvModel(callerOf(ctx), { asOf: input?.asOf ?? null, trigger: 'api' }) }),
    }),
    updateAnalyticsSettings: t.field({
      type: UpdateAnalyticsSettingsPayload,
      authScopes: { admin: true },
      args: { input: t.arg({ type: UpdateAnalyticsSettingsInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        settings: await updateAnalyticsSettings(callerOf(ctx), {
          horizonMonths: input.horizonMonths,
          monthlyDiscountRate: input.monthlyDiscountRate,
          margin: input.margin,
          unitCosts: { ticket: input.ticketCost, activity: input.activityCost, campaignContact: input.campaignContactCost },
        }),
      }),
    }),
  }));
}
