import type {
  CampaignEffectiveness,
  CohortRow,
  CustomerEquityReport,
  DefectionMonth,
  DefectionReason,
  EquityPart,
  FunnelStep,
  SatisfactionFigures,
  SatisfactionReport,
  SegmentMonth,
  SegmentSnapshotFigures,
  ValueConcentrationReport,
  WhaleCurvePoint,
} from '@crm/core';
import type { Builder } from '../builder.js';
import { globalId } from '../ids.js';

/** The object types of the workspace reports (one per report row shape). */
export function registerReportTypes(builder: Builder) {
  const EquityPartType = builder.objectRef<EquityPart>('EquityPart').implement({
    description: 'Customer equity of one RFM segment or lifecycle stage.',
    fields: (t) => ({
      key: t.exposeString('key', { description: 'The segment’s display name ("Can\'t lose them") or the stage (CUSTOMER).' }),
      customers: t.exposeInt('customers'),
      equity: t.expose('equity', { type: 'Decimal' }),
      share: t.exposeFloat('share', { nullable: true, description: 'Of the workspace’s equity; null when that is 0.' }),
    }),
  });
  const CustomerEquity = builder.objectRef<CustomerEquityReport>('CustomerEquityReport').implement({
    fields: (t) => ({
      total: t.expose('total', { type: 'Decimal', description: 'Sum of predicted lifetime value as of the latest fit.' }),
      customers: t.exposeInt('customers', { description: 'Scored customers.' }),
      bySegment: t.field({ type: [EquityPartType], resolve: (r) => r.bySegment }),
      byStage: t.field({ type: [EquityPartType], resolve: (r) => r.byStage }),
    }),
  });

  const WhalePoint = builder.objectRef<WhaleCurvePoint>('WhaleCurvePoint').implement({
    fields: (t) => ({
      customers: t.exposeInt('customers', { description: 'The most profitable customers counted so far.' }),
      customerShare: t.exposeFloat('customerShare'),
      cumulativeProfit: t.expose('cumulativeProfit', { type: 'Decimal' }),
      profitShare: t.exposeFloat('profitShare', { nullable: true, description: 'Can exceed 1 (unprofitable customers give profit back).' }),
    }),
  });
  const ValueConcentration = builder.objectRef<ValueConcentrationReport>('ValueConcentrationReport').implement({
    fields: (t) => ({
      customers: t.exposeInt('customers'),
      totalProfit: t.expose('totalProfit', { type: 'Decimal' }),
      top20Share: t.exposeFloat('top20Share', { nullable: true, description: 'Share of profit earned by the top 20 % of customers by profit.' }),
      whaleCurve: t.field({ type: [WhalePoint], resolve: (r) => r.whaleCurve }),
    }),
  });

  const DefectionMonthType = builder.objectRef<DefectionMonth>('DefectionMonth').implement({
    fields: (t) => ({
      month: t.exposeString('month', { description: 'YYYY-MM (UTC).' }),
      activeAtStart: t.exposeInt('activeAtStart'),
      defections: t.exposeInt('defections'),
      rate: t.exposeFloat('rate', { nullable: true }),
    }),
  });
  const DefectionReasonSource = builder.enumType('DefectionReasonSource', {
    values: {
      CHURN: { description: 'The reason recorded when the customer became CHURNED.' },
      LOST_DEAL: { description: 'A lost deal’s reason.' },
      TICKET: { description: 'The subject of a ticket a defector opened in the 90 days before defecting.' },
    } as const,
  });
  const DefectionReasonType = builder.objectRef<DefectionReason>('DefectionReason').implement({
    fields: (t) => ({
      source: t.field({ type: DefectionReasonSource, resolve: (r) => r.source }),
      reason: t.exposeString('reason'),
      count: t.exposeInt('count'),
    }),
  });

  const Cohort = builder.objectRef<CohortRow>('AcquisitionCohort').implement({
    description: 'Customers by the month of their first order, and how many of them ordered k months later.',
    fields: (t) => ({
      cohort: t.exposeString('cohort', { description: 'YYYY-MM of the first orders.' }),
      size: t.exposeInt('size'),
      retained: t.exposeIntList('retained', { description: 'Index k: customers who ordered in the k-th month after the cohort’s (0 = all).' }),
      retention: t.exposeFloatList('retention', { description: 'retained[k] / size.' }),
    }),
  });

  const Funnel = builder.objectRef<FunnelStep>('LifecycleFunnelStep').implement({
    fields: (t) => ({
      stage: t.exposeString('stage'),
      reached: t.exposeInt('reached', { description: 'Customers who ever entered the stage.' }),
      converted: t.exposeInt('converted', { description: 'Of those, customers who went on to a later stage.' }),
      conversionRate: t.exposeFloat('conversionRate', { nullable: true }),
      averageDaysInStage: t.exposeFloat('averageDaysInStage', { nullable: true, description: 'Over the stays that ended.' }),
      completedStays: t.exposeInt('completedStays'),
    }),
  });

  const satisfactionFields = (t: PothosSchemaTypes.ObjectFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<import('../builder.js').SchemaTypes>, SatisfactionFigures>) => ({
    csatResponses: t.exposeInt('csatResponses'),
    averageCsat: t.exposeFloat('averageCsat', { nullable: true }),
    npsResponses: t.exposeInt('npsResponses'),
    nps: t.exposeFloat('nps', { nullable: true, description: '% promoters (9–10) − % detractors (0–6).' }),
  });
  const SegmentSatisfaction = builder.objectRef<SatisfactionReport['bySegment'][number]>('SegmentSatisfaction').implement({
    fields: (t) => ({ segment: t.exposeString('segment'), ...satisfactionFields(t) }),
  });
  const MonthSatisfaction = builder.objectRef<SatisfactionReport['byMonth'][number]>('MonthSatisfaction').implement({
    fields: (t) => ({ month: t.exposeString('month'), ...satisfactionFields(t) }),
  });
  const Satisfaction = builder.objectRef<SatisfactionReport>('SatisfactionReport').implement({
    fields: (t) => ({
      bySegment: t.field({ type: [SegmentSatisfaction], resolve: (r) => r.bySegment }),
      byMonth: t.field({ type: [MonthSatisfaction], resolve: (r) => r.byMonth }),
    }),
  });

  const Campaign = builder.objectRef<CampaignEffectiveness>('CampaignEffectiveness').implement({
    fields: (t) => ({
      campaignId: t.id({ resolve: (c) => globalId('Campaign', c.campaignId) }),
      name: t.exposeString('name'),
      channel: t.exposeString('channel'),
      startsAt: t.expose('startsAt', { type: 'DateTime' }),
      cost: t.expose('cost', { type: 'Decimal' }),
      sent: t.exposeInt('sent'),
      responded: t.exposeInt('responded', { description: 'Customers who opened, clicked or redeemed.' }),
      redeemed: t.exposeInt('redeemed'),
      responseRate: t.exposeFloat('responseRate', { nullable: true }),
      redemptionRate: t.exposeFloat('redemptionRate', { nullable: true }),
      attributedOrders: t.exposeInt('attributedOrders'),
      attributedRevenue: t.expose('attributedRevenue', { type: 'Decimal', description: 'Orders within 30 days after a redemption (last touch).' }),
      attributedMargin: t.expose('attributedMargin', { type: 'Decimal' }),
      roi: t.exposeFloat('roi', { nullable: true, description: '(attributed margin − cost) / cost; null when the campaign cost nothing.' }),
    }),
  });

  const SegmentMonthType = builder.objectRef<SegmentMonth>('SegmentMonthFigures').implement({
    fields: (t) => ({
      month: t.exposeString('month'),
      segment: t.exposeString('segment'),
      buyers: t.exposeInt('buyers'),
      revenue: t.expose('revenue', { type: 'Decimal' }),
      productCost: t.expose('productCost', { type: 'Decimal' }),
      costToServe: t.expose('costToServe', { type: 'Decimal' }),
      profit: t.expose('profit', { type: 'Decimal' }),
    }),
  });

  const SegmentSnapshotType = builder.objectRef<SegmentSnapshotFigures>('SegmentSnapshot').implement({
    description: 'An RFM segment’s figures for one month, from the month’s last lifetime-value fit.',
    fields: (t) => ({
      month: t.exposeString('month'),
      segment: t.exposeString('segment'),
      customers: t.exposeInt('customers'),
      equity: t.expose('equity', { type: 'Decimal' }),
      averageProbabilityAlive: t.exposeFloat('averageProbabilityAlive'),
      revenueToDate: t.expose('revenueToDate', { type: 'Decimal' }),
      profitToDate: t.expose('profitToDate', { type: 'Decimal' }),
      monthRevenue: t.expose('monthRevenue', { type: 'Decimal', description: 'Earned in the month (up to the calibration end).' }),
      monthProfit: t.expose('monthProfit', { type: 'Decimal' }),
      takenAt: t.expose('takenAt', { type: 'DateTime' }),
    }),
  });

  return { SegmentSnapshotType, CustomerEquity, ValueConcentration, DefectionMonthType, DefectionReasonType, Cohort, Funnel, Satisfaction, Campaign, SegmentMonthType };
}
