// Special functions in log space: the models' likelihoods multiply gamma and beta functions of arguments that reach
// the hundreds (a customer's repeat purchases), where the functions themselves overflow a double.

// Lanczos approximation, g = 7, n = 9 (Numerical Recipes 3rd ed. / Boost's coefficients): ~15 significant digits.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (reflection below 0.5). */
export function logGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : Number.NaN;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln(e^x + e^y) without overflow or underflow. */
export function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  return x > y ? x + Math.log1p(Math.exp(y - x)) : y + Math.log1p(Math.exp(x - y));
}

/** ln Σ e^{xᵢ} without overflow or underflow. */
export function logSumExp(values: readonly number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/** Most terms the series may take before giving up (z within 1e-6 of 1 with large parameters). */
const MAX_TERMS = 1_000_000;

/**
 * ln ₂F₁(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1: the Gauss series, every term positive, summed in log space so
 * that terms of 10^300 (a customer with hundreds of purchases) neither overflow nor lose the small ones. Stops when
 * a term falls below 1e-17 of the sum after the terms have started shrinking.
 */
export function logHypergeometric2F1(a: number, b: number, c: number, z: number): number {
  if (!(a > 0 && b > 0 && c > 0)) throw new RangeError(`2F1 needs positive parameters (got ${a}, ${b}, ${c})`);
  if (!(z >= 0 && z < 1)) throw new RangeError(`2F1 series needs 0 ≤ z < 1 (got ${z})`);
  if (z === 0) return 0;
  const logZ = Math.log(z);
  // Running sum kept as scale · e^{logScale}; the term as ln t.
  let logTerm = 0;
  let logScale = 0;
  let scaledSum = 1;
  for (let k = 0; k < MAX_TERMS; k++) {
    const ratio = ((a + k) * (b + k)) / ((c + k) * (k + 1));
    logTerm += Math.log(ratio) + logZ;
    if (logTerm > logScale) {
      scaledSum = scaledSum * Math.exp(logScale - logTerm) + 1;
      logScale = logTerm;
    } else {
      const relative = Math.exp(logTerm - logScale);
      scaledSum += relative;
      // The ratio of successive terms tends to z, monotonically from above or from below, so once it is below 1 the
      // tail is bounded by term / (1 − max(ratio·z, z)).
      const shrink = Math.max(ratio * z, z);
      if (shrink < 1 && relative / (1 - shrink) < 1e-17 * scaledSum) break;
    }
  }
  return logScale + Math.log(scaledSum);
}

/**
 * ₂F₁(a, b; c; z) for 0 ≤ z < 1 and any c that is not 0 or a negative integer, by the Gauss series with signed
 * terms. For the cases `logHypergeometric2F1` cannot take: BG/NBD's c = a + b + x − 1 is ≤ 0 for a customer without
 * repeat purchases when a fit on little data gives a + b ≤ 1. Such parameters are small, so plain summation is fine.
 */
export function hypergeometric2F1(a: number, b: number, c: number, z: number): number {
  if (c <= 0 && Number.isInteger(c)) throw new RangeError(`2F1 is undefined for c = ${c}`);
  if (!(z >= 0 && z < 1)) throw new RangeError(`2F1 series needs 0 ≤ z < 1 (got ${z})`);
  let term = 1;
  let sum = 1;
  for (let k = 0; k < MAX_TERMS; k++) {
    term *= (((a + k) * (b + k)) / ((c + k) * (k + 1))) * z;
    sum += term;
    // Past k > |c| the terms keep one sign and their ratio tends to z: stop once the tail is negligible.
    if (k > Math.abs(c) + 1 && Math.abs(term) / (1 - z) < 1e-16 * Math.abs(sum)) break;
  }
  return sum;
}

