export { hypergeometric2F1, logAddExp, logBeta, logGamma, logHypergeometric2F1, logSumExp } from './special-functions.js';
export { minimize, type MinimizeResult, type NelderMeadOptions } from './nelder-mead.js';
export {
  bgNbdLogLikelihood,
  expectedPurchases,
  fitBgNbd,
  probabilityAlive,
  type BgNbdFit,
  type BgNbdParameters,
  type PurchaseSummary,
} from './bg-nbd.js';
export {
  expectedOrderValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  spendModelCustomers,
  type GammaGammaFit,
  type GammaGammaParameters,
  type SpendSummary,
} from './gamma-gamma.js';
export { defaultLifetimeValueSettings, forecastCustomer, predictedLifetimeValue, type CustomerForecast, WEEKS_PER_MONTH, type LifetimeValueSettings } from './lifetime-value.js';
export { quintileScore, rfmRules, rfmSegment, rfmSegments, type RfmRule, type RfmSegment } from './rfm.js';
export { summarizeTransactions, type Transaction, type CustomerSummary } from './summarize.js';
export { SeededRandom } from './random.js';
export { simulateCustomers, simulateHistories, type SimulatedCustomer, type SimulatedHistory, type SimulationOptions } from './simulate.js';
export { fitClv, type ClvFitJob, type ClvFitOutcome } from './clv-fit.js';
export { fitClvInWorker } from './clv-fit-in-worker.js';
