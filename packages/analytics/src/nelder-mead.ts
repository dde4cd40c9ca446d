/** Options of {@link minimize}. */
export interface NelderMeadOptions {
  /** Stop when the simplex's function values differ by less than this. @default 1e-10 */
  functionTolerance?: number;
  /** … and its vertices by less than this in every coordinate. @default 1e-8 */
  pointTolerance?: number;
  /** Function evaluations per run. @default 3000 */
  maxEvaluations?: number;
  /** Restarts from the best point with a fresh simplex, until a restart no longer improves. @default 3 */
  maxRestarts?: number;
  /** Size of the initial simplex's steps. @default 0.5 */
  initialStep?: number;
}

export interface MinimizeResult {
  point: number[];
  value: number;
  evaluations: number;
  restarts: number;
  /** True when the last run met both tolerances (not the evaluation limit) and a restart found nothing better. */
  converged: boolean;
}

/**
 * Minimises `f` with the Nelder-Mead simplex method (standard coefficients: reflection 1, expansion 2, contraction
 * ½, shrink ½). Non-finite values count as +∞, so a parameter region where the objective is undefined is simply
 * avoided. A simplex can collapse onto a line and stall short of the minimum; restarting from the best point with
 * a fresh simplex is the usual cure (Press et al., Numerical Recipes §10.5), repeated until it stops helping.
 */
export function minimize(f: (x: readonly number[]) => number, start: readonly number[], options: NelderMeadOptions = {}): MinimizeResult {
  const maxRestarts = options.maxRestarts ?? 3;
  let best = run(f, start, options);
  let evaluations = best.evaluations;
  let restarts = 0;
  let converged = false;
  while (restarts < maxRestarts) {
    const again = run(f, best.point, options);
    evaluations += again.evaluations;
    restarts++;
    const improved = best.value - again.value > (options.functionTolerance ?? 1e-10) * (1 + Math.abs(best.value));
    if (again.value <= best.value) best = again;
    if (!improved) {
      converged = again.converged;
      break;
    }
  }
  return { point: best.point, value: best.value, evaluations, restarts, converged };
}

function run(f: (x: readonly number[]) => number, start: readonly number[], options: NelderMeadOptions) {
  const ftol = options.functionTolerance ?? 1e-10;
  const xtol = options.pointTolerance ?? 1e-8;
  const maxEvaluations = options.maxEvaluations ?? 3000;
  const step = options.initialStep ?? 0.5;
  const n = start.length;
  let evaluations = 0;
  const evaluate = (x: number[]) => {
    evaluations++;
    const value = f(x);
    return Number.isFinite(value) ? value : Infinity;
  };
  const simplex: { x: number[]; v: number }[] = [];
  simplex.push({ x: [...start], v: evaluate([...start]) });
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] = x[i]! + step;
    simplex.push({ x, v: evaluate(x) });
  }
  const combine = (a: number[], b: number[], t: number) => a.map((ai, i) => ai + t * (b[i]! - ai));
  let converged = false;
  while (evaluations < maxEvaluations) {
    simplex.sort((p, q) => p.v - q.v);
    const bestV = simplex[0]!.v;
    const worst = simplex[n]!;
    const spread = Math.abs(worst.v - bestV);
    let size = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(simplex[i]!.x[j]! - simplex[0]!.x[j]!));
    if (spread <= ftol * (1 + Math.abs(bestV)) && size <= xtol) {
      converged = true;
      break;
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]!.x[j]! / n;
    const reflected = combine(centroid, worst.x, -1);
    const rv = evaluate(reflected);
    if (rv < bestV) {
      const expanded = combine(centroid, worst.x, -2);
      const ev = evaluate(expanded);
      simplex[n] = ev < rv ? { x: expanded, v: ev } : { x: reflected, v: rv };
      continue;
    }
    if (rv < simplex[n - 1]!.v) {
      simplex[n] = { x: reflected, v: rv };
      continue;
    }
    // Contract towards the better of the worst point and its reflection.
    const outside = rv < worst.v;
    const contracted = combine(centroid, outside ? reflected : worst.x, 0.5);
    const cv = evaluate(contracted);
    if (cv < (outside ? rv : worst.v)) {
      simplex[n] = { x: contracted, v: cv };
      continue;
    }
    for (let i = 1; i <= n; i++) {
      const x = combine(simplex[0]!.x, simplex[i]!.x, 0.5);
      simplex[i] = { x, v: evaluate(x) };
    }
  }
  simplex.sort((p, q) => p.v - q.v);
  return { point: simplex[0]!.x, value: simplex[0]!.v, evaluations, converged };
}
