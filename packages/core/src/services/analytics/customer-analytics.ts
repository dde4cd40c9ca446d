import { expectedPurchases, type RfmSegment } from '@crm/analytics';
import type { Prisma } from '@crm/db';
import type { Caller } from '../../command.js';
import { badInput } from '../../errors.js';
import { customerFiguresSql } from './customer-figures-sql.js';
import { type AnalyticsSettings, loadAnalyticsSettings } from './settings.js';

/** One customer's analytics: historical figures as of now, the model's as of the latest fit (null before one). */
export interface CustomerAnalytics {
  customerId: string;
  historicalRevenue: string;
  productCost: string;
  /** Revenue − product cost. */
  margin: string;
  costToServe: string;
  /** Margin − cost to serve. */
  profit: string;
  /** Our revenue of the last 365 days over the customer's (else their company's) annual wallet; null without one. */
  shareOfWallet: number | null;
  score: CustomerScoreFigures | null;
}

export interface CustomerScoreFigures {
  probabilityAlive: number;
  expectedOrderValue: string;
  predictedLifetimeValue: string;
  rfm: { recency: number; frequency: number; monetary: number; segment: RfmSegment };
  scoredAt: Date;
  calibrationEnd: Date;
  /** E[purchases in the next `weeks` weeks] from the customer's x, t_x, T and the fitted model. */
  expectedPurchases(weeks: number): number;
}

interface Row {
  id: string;
  revenue: string;
  productCost: string;
  costToServe: string;
  margin: string;
  profit: string;
  shareOfWallet: number | null;
  x: number | null;
  tx: number | null;
  T: number | null;
  probabilityAlive: number | null;
  expectedOrderValue: string | null;
  predictedLifetimeValue: string | null;
  rfmRecency: number;
  rfmFrequency: number;
  rfmMonetary: number;
  rfmSegment: string;
  scoredAt: Date | null;
  calibrationEnd: Date | null;
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export const MAX_FORECAST_WEEKS = 520;

/** The statement behind {@link loadCustomerAnalytics}: $1 workspace id, $2 the customers' ids. */
export function customerAnalyticsSql(settings: AnalyticsSettings): string {
  return `WITH figures AS (${customerFiguresSql(settings, `c."workspaceId" = $1::uuid AND c.id = ANY($2::uuid[])`, 'now()')})
     SELECT f.id, f.revenue::text AS revenue, f."productCost"::text AS "productCost", f."costToServe"::text AS "costToServe",
            (f.revenue - f."productCost")::text AS margin, (f.revenue - f."productCost" - f."costToServe")::text AS profit,
            w.share::float8 AS "shareOfWallet",
            s."repeatPurchases" AS x, s."recencyWeeks" AS tx, s."ageWeeks" AS "T", s."probabilityAlive",
            s."expectedOrderValue"::text AS "expectedOrderValue", s."predictedLifetimeValue"::text AS "predictedLifetimeValue",
            s."rfmRecency", s."rfmFrequency", s."rfmMonetary", s."rfmSegment", s."scoredAt",
            m."calibrationEnd", m.r, m.alpha, m.a, m.b
       FROM figures f
       JOIN "Customer" c ON c.id = f.id
       LEFT JOIN "Company" co ON co.id = c."companyId"
       LEFT JOIN "CustomerScore" s ON s."customerId" = f.id
       LEFT JOIN "ClvModel" m ON m.id = s."modelId"
       LEFT JOIN LATERAL (
         SELECT CASE
                  WHEN c."annualWallet" > 0 THEN
                    (SELECT coalesce(sum(total), 0) FROM "Order" WHERE "customerId" = c.id AND "orderedAt" >= now() - interval '365 days') / c."annualWallet"
                  WHEN co."annualWallet" > 0 THEN
                    (SELECT coalesce(sum(o.total), 0) FROM "Order" o JOIN "Customer" cc ON cc.id = o."customerId"
                      WHERE cc."workspaceId" = $1::uuid AND cc."companyId" = co.id AND o."orderedAt" >= now() - interval '365 days') / co."annualWallet"
                END AS share
       ) w ON true`;
}

/**
 * Analytics of a page of customers in one SQL statement (plus the settings): figures per customer from lateral
 * aggregates, the stored score and the model it came from. Customers not in the workspace are simply absent.
 */
export async function loadCustomerAnalytics(caller: Caller, customerIds: readonly string[]): Promise<Map<string, CustomerAnalytics>> {
  const result = new Map<string, CustomerAnalytics>();
  if (!customerIds.length) return result;
  const settings = await loadAnalyticsSettings(caller);
  const rows = await caller.db.$queryRawUnsafe<Row[]>(
    customerAnalyticsSql(settings),
    caller.session.workspaceId,
    customerIds,
  );
  for (const row of rows) {
    const model = { r: row.r, alpha: row.alpha, a: row.a, b: row.b };
    const summary = { x: row.x ?? 0, tx: row.tx ?? 0, T: row.T ?? 0 };
    result.set(row.id, {
      customerId: row.id,
      historicalRevenue: row.revenue,
      productCost: row.productCost,
      margin: row.margin,
      costToServe: row.costToServe,
      profit: row.profit,
      shareOfWallet: row.shareOfWallet,
      score:
        row.scoredAt && row.calibrationEnd
          ? {
              probabilityAlive: row.probabilityAlive!,
              expectedOrderValue: row.expectedOrderValue!,
              predictedLifetimeValue: row.predictedLifetimeValue!,
              rfm: { recency: row.rfmRecency, frequency: row.rfmFrequency, monetary: row.rfmMonetary, segment: row.rfmSegment as RfmSegment },
              scoredAt: row.scoredAt,
              calibrationEnd: row.calibrationEnd,
              expectedPurchases: (weeks) => {
                if (!Number.isInteger(weeks) || weeks < 0 || weeks > MAX_FORECAST_WEEKS) {
                  throw badInput(`weeks: a whole number from 0 to ${MAX_FORECAST_WEEKS}`, 'weeks');
                }
                return expectedPurchases(model, summary, weeks);
              },
            }
          : null,
    });
  }
  return result;
}

