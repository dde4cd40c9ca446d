// Worker-thread entry of `fitClvInWorker`: runs one fit and posts the outcome back, its columns transferred.
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { type ClvFitJob, fitClv } from './clv-fit.js';

const outcome = fitClv(workerData as ClvFitJob, threadId);
const columns = [outcome.probabilityAlive, outcome.expectedPurchases, outcome.expectedOrderValue, outcome.predictedLifetimeValue];
parentPort!.postMessage(outcome, columns.map((c) => c.buffer as ArrayBuffer));
