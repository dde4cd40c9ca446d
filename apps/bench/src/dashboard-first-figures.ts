// How long the dashboard takes to show its first key figures, as `npm start` serves it (demo workspace, embedded
// database, NODE_ENV=production), in Debian's chromium. Usage (from the repository root):
//   npm run bench:dashboard -- [--runs 5]
// Each run opens a fresh browser profile (cold cache) signed in with the demo key, loads /app/ and records the time
// from navigation start until the key figures are on screen; then reloads once (warm cache). Keeps its data in
// .bench-data/dashboard (created once).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { repoRoot, startServer } from './servers.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' }, port: { type: 'string', default: '4171' } } });
const runs = Number(args.runs);
const log = (line: string) => process.stderr.write(`[bench:dashboard] ${line}\n`);
const dataDir = path.join(repoRoot, '.bench-data', 'dashboard');

log(`starting the gateway on ${dataDir} (the first start creates the demo workspace)`);
const server = await startServer('apps/gateway/dist/main.js', { CRM_DATA_DIR: dataDir, NODE_ENV: 'production', LOG_LEVEL: 'error' }, Number(args.port), '/ready');
const apiKey = readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim();
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Milliseconds from navigation start until the customers figure shows a number. */
async function firstFigures(page: Page): Promise<number> {
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="figure-customers"] dd')?.textContent ?? ''), undefined, { polling: 10, timeout: 30_000 });
  return page.evaluate(() => Math.round(performance.now()));
}

const cold: number[] = [];
const warm: number[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const profile = mkdtempSync(path.join(tmpdir(), 'crm-bench-chromium-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
    await context.addInitScript((key) => sessionStorage.setItem('crm.apiKey', key), apiKey);
    const page = await context.newPage();
    await page.goto(`${server.url}/app/`);
    cold.push(await firstFigures(page));
    await page.reload();
    warm.push(await firstFigures(page));
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    log(`run ${run + 1}: cold ${cold.at(-1)} ms, warm ${warm.at(-1)} ms`);
  }
} finally {
  await server.stop();
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(JSON.stringify({ bench: 'dashboard-first-figures', runs, coldMedianMs: median(cold), coldMaxMs: Math.max(...cold), warmMedianMs: median(warm), warmMaxMs: Math.max(...warm) }));
