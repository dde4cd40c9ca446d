import { Worker } from 'node:worker_threads';
import type { ClvFitJob, ClvFitOutcome } from './clv-fit.js';

/**
 * {@link fitClv} in a worker thread, so that a server's event loop keeps answering requests during the ~1 s of
 * maths a 25,000-customer fit takes. One short-lived worker per fit (starting one costs ~30 ms, nothing next to the
 * fit, and leaves no idle thread behind); the job's columns are transferred to it, not copied. Rejects with the
 * worker's error when the fit fails (e.g. a RangeError for data that cannot be fitted).
 */
export function fitClvInWorker(job: ClvFitJob): Promise<ClvFitOutcome> {
  return new Promise((resolve, reject) => {
    const columns = [job.x, job.tx, job.T, job.meanValue].map((c) => c.buffer as ArrayBuffer);
    const worker = new Worker(new URL('./clv-fit-worker.js', import.meta.url), { workerData: job, transferList: columns });
    let settled = false;
    worker.once('message', (outcome: ClvFitOutcome) => {
      settled = true;
      resolve(outcome);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`The CLV fit worker exited with code ${code} before answering`));
    });
  });
}
