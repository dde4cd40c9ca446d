#!/usr/bin/env node
// `npm run analytics:cdnow -- --file PATH`: fits BG/NBD and Gamma-Gamma to the CDNOW sample (Fader, Hardie & Lee
// 2005) and compares with the published figures. The data is not ours to ship: the user supplies the file
// (whitespace-separated: customer id, id2, date YYYYMMDD, CDs bought, dollar value; e.g. CDNOW_sample.txt of the
// lifetimes project). Prints one JSON line; exit code 1 when a figure is off by more than its tolerance.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fitBgNbd } from './bg-nbd.js';
import { fitGammaGamma } from './gamma-gamma.js';
import { summarizeTransactions, type Transaction } from './summarize.js';

const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, logLikelihood: -9582.4, p: 6.25, q: 3.74, gamma: 15.44 };
/** The paper prints three decimals (two for the spend model): agreement to the last printed digit, ±1. */
const tolerance = { r: 0.001, alpha: 0.001, a: 0.001, b: 0.001, logLikelihood: 0.1, p: 0.01, q: 0.01, gamma: 0.01 };

const { values } = parseArgs({ options: { file: { type: 'string' }, 'calibration-end': { type: 'string', default: '1997-09-30' } } });
if (!values.file) {
  console.error('usage: npm run analytics:cdnow -- --file CDNOW_sample.txt [--calibration-end 1997-09-30]');
  process.exit(2);
}

const transactions: Transaction[] = [];
for (const [n, line] of readFileSync(values.file, 'utf8').split('\n').entries()) {
  const fields = line.trim().split(/\s+/);
  if (fields.length < 5) continue;
  const [customer, , day, , value] = fields as [string, string, string, string, string];
  if (!/^\d{8}$/.test(day)) throw new Error(`line ${n + 1}: not a YYYYMMDD date: ${day}`);
  transactions.push({ customer, at: new Date(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T00:00:00Z`), value: Number(value) });
}
const calibrationEnd = new Date(`${values['calibration-end']}T00:00:00Z`);
const customers = summarizeTransactions(transactions, calibrationEnd);

const started = performance.now();
const bg = fitBgNbd(customers);
const gg = fitGammaGamma(customers);
const ms = Math.round(performance.now() - started);

const got = { r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b, logLikelihood: bg.logLikelihood, p: gg.p, q: gg.q, gamma: gg.gamma };
const off = (Object.keys(published) as (keyof typeof published)[]).filter((k) => Math.abs(got[k] - published[k]) > tolerance[k] + 1e-9);
const round = (v: number, digits: number) => Number(v.toFixed(digits));
console.log(
  JSON.stringify({
    transactions: transactions.length,
    customers: customers.length,
    repeatBuyers: gg.customers,
    calibrationEnd: values['calibration-end'],
    bgNbd: { r: round(bg.r, 4), alpha: round(bg.alpha, 4), a: round(bg.a, 4), b: round(bg.b, 4), logLikelihood: round(bg.logLikelihood, 2), converged: bg.converged },
    gammaGamma: { p: round(gg.p, 4), q: round(gg.q, 4), gamma: round(gg.gamma, 4), converged: gg.converged },
    published,
    matches: off.length === 0,
    off,
    fitMs: ms,
  }),
);
process.exit(off.length ? 1 : 0);
