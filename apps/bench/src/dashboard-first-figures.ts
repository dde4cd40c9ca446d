// How long the dashboard takes to show its first key figures, as `npm start` serves it (demo workspace, embedded
// database, NODE_ENV=production), in Debian's chromium. Usage (from the repository root):
//   npm run bench:dashboard -- [--runs 5] [--no-warm-up]
// Each run STARTS THE GATEWAY afresh (waiting for the URL it prints, as a person would), opens a fresh browser
// profile signed in with the demo key, loads /app/ and records the time from navigation start until the key figures
// are on screen: the first page load after a start ("after start"). Then it reloads once (warm browser cache, warm
// gateway) and stops the gateway. `--no-warm-up` starts the gateway with CRM_WARM_UP=0 (the figures before the
// warm-up). Keeps its data in .bench-data/dashboard (created once).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { repoRoot, startServer } from './servers.js';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, port: { type: 'string', default: '4171' }, 'no-warm-up': { type: 'boolean', default: false } },
});
const runs = Number(args.runs);
const warmUp = !args['no-warm-up'];
const log = (line: string) => process.stderr.write(`[bench:dashboard] ${line}\n`);
const dataDir = path.join(repoRoot, '.bench-data', 'dashboard');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const gatewayEnv = { CRM_DATA_DIR: dataDir, NODE_ENV: 'production', LOG_LEVEL: 'error', CRM_WARM_UP: warmUp ? '1' : '0' };

/** Milliseconds from navigation start until the customers figure shows a number. */
async function firstFigures(page: Page): Promise<number> {
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="figure-customers"] dd')?.textContent ?? ''), undefined, { polling: 10, timeout: 30_000 });
  return page.evaluate(() => Math.round(performance.now()));
}

const afterStart: number[] = [];
const warm: number[] = [];
const loads: number[] = [];
for (let run = 0; run < runs; run++) {
  // The first start creates the demo workspace (and its key file); every start prints the URL after its warm-up.
  const server = await startServer('apps/gateway/dist/main.js', gatewayEnv, Number(args.port), '/ready', /Dashboard: /);
  try {
    const apiKey = readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim();
    const profile = mkdtempSync(path.join(tmpdir(), 'crm-bench-chromium-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
    await context.addInitScript((key) => sessionStorage.setItem('crm.apiKey', key), apiKey);
    const page = await context.newPage();
    loads.push(loadavg()[0]!);
    await page.goto(`${server.url}/app/`);
    afterStart.push(await firstFigures(page));
    await page.reload();
    warm.push(await firstFigures(page));
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    log(`run ${run + 1}: after start ${afterStart.at(-1)} ms, warm ${warm.at(-1)} ms (load average ${loads.at(-1)!.toFixed(2)})`);
  } finally {
    await server.stop();
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(
  JSON.stringify({
    bench: 'dashboard-first-figures',
    runs,
    warmUp,
    afterStartMedianMs: median(afterStart),
    afterStartMaxMs: Math.max(...afterStart),
    warmMedianMs: median(warm),
    warmMaxMs: Math.max(...warm),
    loadAverage: { min: Math.min(...loads), max: Math.max(...loads) },
    cores: cpus().length,
  }),
);
