import type { Prisma } from '@crm/db';
import { badInput } from '../../errors.js';

/** Who counts as at risk: high past value, low probability of being alive (as of the latest fit). */
export interface AtRiskCriteria {
  /** @default 0.5 */
  maxProbabilityAlive?: number | null;
  /** Lowest RFM monetary quintile that counts as high past value. @default 4 (the top 40 % by revenue) */
  minMonetaryScore?: number | null;
}

export const AT_RISK_DEFAULTS = { maxProbabilityAlive: 0.5, minMonetaryScore: 4 } as const;

/** The criteria validated, with defaults. */
export function atRiskCriteria(input: AtRiskCriteria = {}): Required<{ [K in keyof AtRiskCriteria]: number }> {
  const maxProbabilityAlive = input.maxProbabilityAlive ?? AT_RISK_DEFAULTS.maxProbabilityAlive;
  const minMonetaryScore = input.minMonetaryScore ?? AT_RISK_DEFAULTS.minMonetaryScore;
  if (!(maxProbabilityAlive >= 0 && maxProbabilityAlive <= 1)) throw badInput('maxProbabilityAlive: 0–1', 'maxProbabilityAlive');
  if (!Number.isInteger(minMonetaryScore) || minMonetaryScore < 1 || minMonetaryScore > 5) throw badInput('minMonetaryScore: 1–5', 'minMonetaryScore');
  return { maxProbabilityAlive, minMonetaryScore };
}

/** The at-risk customers as a Prisma filter on `Customer` (for connections: the list sorts by past value). */
export function atRiskCustomerWhere(input: AtRiskCriteria = {}): Prisma.CustomerWhereInput {
  const { maxProbabilityAlive, minMonetaryScore } = atRiskCriteria(input);
  return { score: { is: { probabilityAlive: { lt: maxProbabilityAlive }, rfmMonetary: { gte: minMonetaryScore } } } };
}

/** The same condition in SQL on a `CustomerScore` alias (the default criteria; for aggregates). */
export function atRiskSql(alias: string): string {
  return `${alias}."probabilityAlive" < ${AT_RISK_DEFAULTS.maxProbabilityAlive} AND ${alias}."rfmMonetary" >= ${AT_RISK_DEFAULTS.minMonetaryScore}`;
}
