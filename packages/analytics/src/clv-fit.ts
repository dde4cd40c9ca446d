import { type BgNbdFit, fitBgNbd } from './bg-nbd.js';
import { fitGammaGamma, type GammaGammaFit } from './gamma-gamma.js';
import { type CustomerForecast, forecastCustomer, type LifetimeValueSettings } from './lifetime-value.js';

/**
 * One workspace's fit as columns (one entry per customer): typed arrays, so that the job and its result cross to a
 * worker thread by transfer instead of cloning 25,000 objects.
 */
export interface ClvFitJob {
  /** Repeat transactions. */
  x: Float64Array;
  /** Recency t_x, in weeks. */
  tx: Float64Array;
  /** Age T, in weeks. */
  T: Float64Array;
  /** Mean value of the repeat transactions (0 without any). */
  meanValue: Float64Array;
  /** Order value for customers the spend model knows nothing about (e.g. the workspace's mean order value). */
  fallbackOrderValue: number;
  settings: LifetimeValueSettings;
}

/** The fitted models and every customer's forecast, in the job's order. */
export interface ClvFitOutcome {
  bg: BgNbdFit;
  /** Null when no customer has a repeat purchase with a value (nothing for the spend model to fit). */
  spend: GammaGammaFit | null;
  probabilityAlive: Float64Array;
  expectedPurchases: Float64Array;
  expectedOrderValue: Float64Array;
  predictedLifetimeValue: Float64Array;
  /** Time spent in the maths (fits and forecasts). */
  mathsMs: number;
  /** The thread that ran it (`worker_threads.threadId`: 0 is the main thread). */
  threadId: number;
}

/**
 * Fits BG/NBD and Gamma-Gamma and forecasts every customer, in the calling thread. Customers with the same
 * (x, t_x, T, m) share one forecast (all one-time buyers of a day, for instance).
 */
export function fitClv(job: ClvFitJob, threadId = 0): ClvFitOutcome {
  const started = performance.now();
  const n = job.x.length;
  const customers = Array.from({ length: n }, (_, i) => ({ x: job.x[i]!, tx: job.tx[i]!, T: job.T[i]!, meanValue: job.meanValue[i]! }));
  const bg = fitBgNbd(customers);
  const spend = customers.some((c) => c.x > 0 && c.meanValue > 0) ? fitGammaGamma(customers) : null;
  const outcome = {
    probabilityAlive: new Float64Array(n),
    expectedPurchases: new Float64Array(n),
    expectedOrderValue: new Float64Array(n),
    predictedLifetimeValue: new Float64Array(n),
  };
  const cache = new Map<string, CustomerForecast>();
  customers.forEach((c, i) => {
    const key = `${c.x}/${c.tx}/${c.T}/${c.meanValue}`;
    let forecast = cache.get(key);
    if (!forecast) cache.set(key, (forecast = forecastCustomer(bg, spend, c, job.fallbackOrderValue, job.settings)));
    outcome.probabilityAlive[i] = forecast.probabilityAlive;
    outcome.expectedPurchases[i] = forecast.expectedPurchases;
    outcome.expectedOrderValue[i] = forecast.expectedOrderValue;
    outcome.predictedLifetimeValue[i] = forecast.predictedLifetimeValue;
  });
  return { bg, spend, ...outcome, mathsMs: performance.now() - started, threadId };
}
