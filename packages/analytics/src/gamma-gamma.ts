// The Gamma-Gamma spend model (Fader & Hardie, "The Gamma-Gamma model of monetary value", 2013; Colombo & Jiang
// 1999): each transaction's value is Gamma(p, ν) around the customer's own ν ~ Gamma(q, γ). Fitted on customers with
// at least one repeat transaction, from x and the mean value m of those repeat transactions.
import { outOfBounds } from './bg-nbd.js';
import { minimize } from './nelder-mead.js';
import { logGamma } from './special-functions.js';

export interface SpendSummary {
  /** Repeat transactions (x > 0 to take part in the fit). */
  x: number;
  /** Mean value of those transactions (> 0). */
  meanValue: number;
}

export interface GammaGammaParameters {
  p: number;
  q: number;
  gamma: number;
}

export interface GammaGammaFit extends GammaGammaParameters {
  logLikelihood: number;
  customers: number;
  converged: boolean;
}

/** Σ ln[Γ(px+q)/(Γ(px)Γ(q)) · γ^q m^{px−1} x^{px} / (γ + m x)^{px+q}] over the customers. */
export function gammaGammaLogLikelihood(parameters: GammaGammaParameters, customers: readonly SpendSummary[]): number {
  return columnsLogLikelihood(parameters, toColumns(customers));
}

/** The gamma terms depend on x alone (computed once per distinct x); ln m and ln x once per fit. */
interface Columns {
  x: Float64Array;
  m: Float64Array;
  logM: Float64Array;
  logX: Float64Array;
  xIndex: Uint32Array;
  distinctX: number[];
}

function toColumns(customers: readonly SpendSummary[]): Columns {
  const n = customers.length;
  const c: Columns = { x: new Float64Array(n), m: new Float64Array(n), logM: new Float64Array(n), logX: new Float64Array(n), xIndex: new Uint32Array(n), distinctX: [] };
  const xs = new Map<number, number>();
  customers.forEach(({ x, meanValue }, i) => {
    c.x[i] = x;
    c.m[i] = meanValue;
    c.logM[i] = Math.log(meanValue);
    c.logX[i] = Math.log(x);
    let g = xs.get(x);
    if (g === undefined) {
      g = c.distinctX.length;
      xs.set(x, g);
      c.distinctX.push(x);
    }
    c.xIndex[i] = g;
  });
  return c;
}

function columnsLogLikelihood({ p, q, gamma }: GammaGammaParameters, c: Columns): number {
  if (!(p > 0 && q > 0 && gamma > 0)) return -Infinity;
  const common = -logGamma(q) + q * Math.log(gamma);
  const byX = c.distinctX.map((x) => logGamma(p * x + q) - logGamma(p * x) + common);
  let total = 0;
  for (let i = 0; i < c.x.length; i++) {
    const px = p * c.x[i]!;
    total += byX[c.xIndex[i]!]! + (px - 1) * c.logM[i]! + px * c.logX[i]! - (px + q) * Math.log(gamma + c.m[i]! * c.x[i]!);
  }
  return total;
}

/** Customers who count for the spend model: a repeat transaction with a positive mean value. */
export const spendModelCustomers = <T extends SpendSummary>(customers: readonly T[]): T[] => customers.filter((c) => c.x > 0 && c.meanValue > 0);

/** Maximum-likelihood fit by Nelder-Mead on log-parameters; customers without repeat transactions are left out. */
export function fitGammaGamma(all: readonly SpendSummary[]): GammaGammaFit {
  const customers = spendModelCustomers(all);
  if (!customers.length) throw new RangeError('The spend model needs at least one customer with a repeat transaction');
  let mean = 0;
  for (const c of customers) mean += c.meanValue / customers.length;
  const toParameters = (v: readonly number[]): GammaGammaParameters => ({ p: Math.exp(v[0]!), q: Math.exp(v[1]!), gamma: Math.exp(v[2]!) });
  // From p = 1, q = 2, γ = mean: the prior mean of a transaction (pγ/(q−1)) then equals the sample's.
  const columns = toColumns(customers);
  const result = minimize((v) => (outOfBounds(v) ? Infinity : -columnsLogLikelihood(toParameters(v), columns)), [0, Math.log(2), Math.log(mean)], {
    functionTolerance: 1e-11,
    pointTolerance: 1e-6,
  });
  return { ...toParameters(result.point), logLikelihood: -result.value, customers: customers.length, converged: result.converged };
}

/**
 * E[M | x, m]: a weighted mean of the population mean pγ/(q−1) and the customer's own mean m (eq. 5 of the note).
 * For a customer with no repeat transaction it is the population mean. Needs q > 1 (else the mean is infinite).
 */
export function expectedOrderValue({ p, q, gamma }: GammaGammaParameters, { x, meanValue }: SpendSummary): number {
  if (q <= 1) return Number.NaN;
  const m = x > 0 ? meanValue : 0;
  return (p * (gamma + m * x)) / (p * x + q - 1);
}
