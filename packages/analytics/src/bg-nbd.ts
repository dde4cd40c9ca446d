// The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive, a customer
// buys at rate λ ~ Gamma(r, α); after each purchase they drop out for good with probability p ~ Beta(a, b).
import { minimize } from './nelder-mead.js';
import { hypergeometric2F1, logAddExp, logBeta, logGamma, logHypergeometric2F1 } from './special-functions.js';

/** One customer's calibration summary: x repeat purchases, the last at t_x, observed for T (weeks since the first). */
export interface PurchaseSummary {
  /** Repeat transactions (days with a purchase after the first one). */
  x: number;
  /** Recency: time of the last purchase, in weeks since the first (0 when x = 0). */
  tx: number;
  /** Age: time from the first purchase to the end of calibration, in weeks. */
  T: number;
}

export interface BgNbdParameters {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit extends BgNbdParameters {
  logLikelihood: number;
  customers: number;
  evaluations: number;
  converged: boolean;
}

/**
 * The data as the likelihood wants it, computed once per fit. Identical (x, t_x, T) rows are merged with a weight
 * (every one-time buyer of the same day shares a row); the gamma and beta terms depend on x alone and ln(α + T),
 * ln(α + t_x) on one value each, so each is computed once per distinct value per evaluation. With times in whole
 * days that makes an evaluation over 25,000 customers cost a few thousand logarithms plus one exp per row.
 */
interface Columns {
  weight: Float64Array;
  x: Float64Array;
  /** Index of each row's x in `distinctX`, of its T and t_x in `times`. */
  xIndex: Uint32Array;
  tIndex: Uint32Array;
  txIndex: Uint32Array;
  distinctX: number[];
  times: number[];
  customers: number;
}

function toColumns(customers: readonly PurchaseSummary[]): Columns {
  const rows = new Map<string, { x: number; tx: number; T: number; weight: number }>();
  customers.forEach((c, i) => {
    if (!(c.x >= 0 && c.tx >= 0 && c.T >= c.tx)) throw new RangeError(`Customer ${i}: need x ≥ 0 and 0 ≤ t_x ≤ T (got ${c.x}, ${c.tx}, ${c.T})`);
    const tx = c.x > 0 ? c.tx : 0;
    const key = `${c.x}/${tx}/${c.T}`;
    const row = rows.get(key);
    if (row) row.weight++;
    else rows.set(key, { x: c.x, tx, T: c.T, weight: 1 });
  });
  const n = rows.size;
  const columns: Columns = {
    weight: new Float64Array(n), x: new Float64Array(n), xIndex: new Uint32Array(n), tIndex: new Uint32Array(n), txIndex: new Uint32Array(n),
    distinctX: [], times: [], customers: customers.length,
  };
  const indexOf = (map: Map<number, number>, list: number[], value: number) => {
    let index = map.get(value);
    if (index === undefined) {
      index = list.length;
      map.set(value, index);
      list.push(value);
    }
    return index;
  };
  const xs = new Map<number, number>();
  const times = new Map<number, number>();
  let i = 0;
  for (const row of rows.values()) {
    columns.weight[i] = row.weight;
    columns.x[i] = row.x;
    columns.xIndex[i] = indexOf(xs, columns.distinctX, row.x);
    columns.tIndex[i] = indexOf(times, columns.times, row.T);
    columns.txIndex[i] = indexOf(times, columns.times, row.tx);
    i++;
  }
  return columns;
}

/**
 * The sample log-likelihood (paper, eq. 6):
 * L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^{r+x}) + δ_{x>0} B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^{r+x}).
 */
function columnsLogLikelihood({ r, alpha, a, b }: BgNbdParameters, c: Columns): number {
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return -Infinity;
  const common = -logGamma(r) + r * Math.log(alpha) - logBeta(a, b);
  const alive = new Float64Array(c.distinctX.length);
  const dropped = new Float64Array(c.distinctX.length);
  for (let g = 0; g < c.distinctX.length; g++) {
    const x = c.distinctX[g]!;
    const shared = logGamma(r + x) + common;
    alive[g] = shared + logBeta(a, b + x);
    dropped[g] = x > 0 ? shared + logBeta(a + 1, b + x - 1) : -Infinity;
  }
  const logTime = new Float64Array(c.times.length);
  for (let k = 0; k < logTime.length; k++) logTime[k] = Math.log(alpha + c.times[k]!);
  let total = 0;
  for (let i = 0; i < c.x.length; i++) {
    const g = c.xIndex[i]!;
    const x = c.x[i]!;
    const rx = r + x;
    const first = alive[g]! - rx * logTime[c.tIndex[i]!]!;
    total += c.weight[i]! * (x > 0 ? logAddExp(first, dropped[g]! - rx * logTime[c.txIndex[i]!]!) : first);
  }
  return total;
}

export function bgNbdLogLikelihood(parameters: BgNbdParameters, customers: readonly PurchaseSummary[]): number {
  return columnsLogLikelihood(parameters, toColumns(customers));
}

/**
 * Maximum-likelihood fit by Nelder-Mead on the logarithms of the parameters (which keeps them positive and the
 * surface better scaled), from r = α = a = b = 1 with restarts.
 */
export function fitBgNbd(customers: readonly PurchaseSummary[]): BgNbdFit {
  if (!customers.length) throw new RangeError('Fitting needs at least one customer');
  const columns = toColumns(customers);
  // Start α near the typical age: the scale of the time axis (weeks) differs a lot between businesses.
  let meanT = 0;
  for (let i = 0; i < columns.x.length; i++) meanT += (columns.weight[i]! * columns.times[columns.tIndex[i]!]!) / columns.customers;
  const start = [0, Math.log(Math.max(meanT, 1e-3)), 0, 0];
  const toParameters = (p: readonly number[]): BgNbdParameters => ({ r: Math.exp(p[0]!), alpha: Math.exp(p[1]!), a: Math.exp(p[2]!), b: Math.exp(p[3]!) });
  const result = minimize((p) => (outOfBounds(p) ? Infinity : -columnsLogLikelihood(toParameters(p), columns)), start, { functionTolerance: 1e-11, pointTolerance: 1e-6 });
  return { ...toParameters(result.point), logLikelihood: -result.value, customers: customers.length, evaluations: result.evaluations, converged: result.converged };
}

/**
 * Parameters beyond e^±12 (~160,000) are the model's limits (e.g. a, b → ∞ with a/(a+b) fixed: every customer has the same
 * dropout probability), where the likelihood keeps creeping up without end. A wall there lets the optimiser settle
 * instead of wandering off until its evaluation budget runs out.
 */
export const LOG_PARAMETER_BOUND = 12;
export const outOfBounds = (logParameters: readonly number[]) => logParameters.some((v) => Math.abs(v) > LOG_PARAMETER_BOUND);

/** P(alive | x, t_x, T) (paper, eq. 11): 1 for a customer with no repeat purchase. */
export function probabilityAlive({ r, alpha, a, b }: BgNbdParameters, { x, tx, T }: PurchaseSummary): number {
  if (x === 0) return 1;
  const logRatio = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logRatio));
}

/**
 * E[Y(t) | x, t_x, T], the expected purchases in the next t weeks (paper, eq. 10):
 * (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] / [1 + δ_{x>0} a/(b+x−1) ((α+T)/(α+t_x))^{r+x}].
 */
export function expectedPurchases({ r, alpha, a, b }: BgNbdParameters, { x, tx, T }: PurchaseSummary, t: number): number {
  if (t <= 0) return 0;
  const z = t / (alpha + T + t);
  const c = a + b + x - 1;
  const logPower = (r + x) * Math.log((alpha + T) / (alpha + T + t));
  // 1 − power·₂F₁ divided by (a − 1): both change sign together at a = 1, so the ratio stays positive. With c ≤ 0
  // (no repeat purchase and a + b ≤ 1, from fits on little data) the log-space series does not apply.
  const oneMinusHyp = c > 0 ? -Math.expm1(logPower + logHypergeometric2F1(r + x, b + x, c, z)) : 1 - Math.exp(logPower) * hypergeometric2F1(r + x, b + x, c, z);
  const numerator = (c / (a - 1)) * oneMinusHyp;
  const denominator = x > 0 ? 1 + Math.exp(Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx))) : 1;
  return numerator / denominator;
}
