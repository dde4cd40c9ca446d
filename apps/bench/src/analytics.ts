// The analytics benchmarks of docs/performance.md. Usage (from the repository root):
//   npm run bench:analytics -- [--skip-import] [--skip-fit] [--skip-page] [--requests 200] [--reports a,b] [--database NAME]
// 1. import 70,000 orders (CSV, 10,000 customers) into a fresh embedded database (PGlite), then the same file again;
// 2. fit the lifetime-value model for 25,000 customers on PostgreSQL (SQL inputs + maths + scores written), with the
//    event-loop lag of this process during each fit (the maths runs in a worker thread);
// 3. a 50-customer page with `analytics`, p50/p95, on PostgreSQL with 10,000 seeded customers topped up to 100,000 orders.
// 4. every workspace report (reports { … }), p50/p95, on the same workspace.
// Never drops anything it did not create: it uses the database `crm_bench_analytics` (or --database; PG_BENCH_URL's server) and a
// temporary folder for PGlite. Prints one JSON line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fitBgNbd, fitGammaGamma, simulateHistories, summarizeTransactions } from '@crm/analytics';
import { CommandRunner, createWorkspace, type FitPhaseTimings, fitClvModel, importOrders, issueApiKey, seedWorkspace, systemSession } from '@crm/core';
import { type Database, openDatabase } from '@crm/db';
import { createGateway, silentLogger } from '@crm/gateway';
import { ensurePostgresDatabase } from './bench-database.js';

const { values: args } = parseArgs({
  options: {
    'skip-import': { type: 'boolean', default: false },
    'skip-fit': { type: 'boolean', default: false },
    'skip-page': { type: 'boolean', default: false },
    requests: { type: 'string', default: '200' },
    /** Only these reports (comma-separated names of REPORTS below). */
    reports: { type: 'string' },
    database: { type: 'string', default: 'crm_bench_analytics' },
  },
});
const log = (line: string) => process.stderr.write(`[bench:analytics] ${line}\n`);
const DAY = 86_400_000;
const asOf = Math.floor(Date.now() / DAY) * DAY;
/** The truth the simulated customers are drawn from (CDNOW-like purchasing, a shop's spend). */
const truth = { bg: { r: 0.8, alpha: 12, a: 0.7, b: 2.5 }, spend: { p: 6, q: 4, gamma: 60 } };
const results: Record<string, unknown> = {};

/** CSV of simulated customers' orders, first purchases spread over the two years before asOf. */
function ordersCsv(customers: number, seed: number, customerKey: (i: number) => string, maxOrders = Infinity): { csv: string; orders: number } {
  const histories = simulateHistories(truth.bg, truth.spend, { customers, seed, minAge: 4, maxAge: 104 });
  const lines = ['customer,orderedAt,total,orderRef'];
  histories.forEach(({ T, purchases }, i) => {
    const first = asOf - Math.round(T * 7) * DAY;
    for (const [n, p] of purchases.entries()) {
      if (lines.length > maxOrders) return;
      lines.push(`${customerKey(i)},${new Date(first + Math.round(p.at * 7) * DAY + 10 * 3_600_000).toISOString()},${Math.max(1, p.value).toFixed(2)},S${seed}-${i}-${n}`);
    }
  });
  return { csv: lines.join('\n'), orders: lines.length - 1 };
}

const systemCaller = (database: Database, workspaceId: string) =>
  new CommandRunner({ prisma: database.prisma, timeoutMs: 300_000 }).callerFor({ ...systemSession(workspaceId), actor: 'bench' });

// 1. Import on the embedded database.
if (!args['skip-import']) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-import-'));
  const database = await openDatabase({ kind: 'pglite', dataDir: dir });
  try {
    const { workspaceId } = await createWorkspace(database.prisma, { name: 'Import benchmark' });
    // ~3 orders a customer on average: enough customers to reach 70,000, then cut there.
    const { csv, orders } = ordersCsv(30_000, 1, (i) => `c${i}@bench.test`, 70_000);
    const caller = systemCaller(database, workspaceId);
    log(`importing ${orders} orders (${(csv.length / 1e6).toFixed(1)} MB) into PGlite…`);
    let started = performance.now();
    const summary = await importOrders(caller, csv);
    const ms = performance.now() - started;
    started = performance.now();
    const again = await importOrders(caller, csv);
    results.importPGlite = {
      orders, imported: summary.imported, customersCreated: summary.customersCreated, ms: Math.round(ms), ordersPerSecond: Math.round(orders / (ms / 1000)),
      rerunMs: Math.round(performance.now() - started), rerunSkipped: again.skipped,
    };
    log(JSON.stringify(results.importPGlite));
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const adminUrl = process.env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pgDatabase = args['skip-fit'] && args['skip-page'] ? null : await openDatabase({ kind: 'postgres', url: await ensurePostgresDatabase(adminUrl, args.database) });

/** A workspace by name, made by `fill` when missing (reused by later runs). */
async function benchWorkspace(database: Database, name: string, fill: (workspaceId: string) => Promise<void>): Promise<string> {
  const existing = await database.prisma.workspace.findFirst({ where: { name } });
  if (existing) return existing.id;
  const { workspaceId } = await createWorkspace(database.prisma, { name });
  await fill(workspaceId);
  return workspaceId;
}

// 2. Fit time for 25,000 customers.
if (pgDatabase && !args['skip-fit']) {
  const workspaceId = await benchWorkspace(pgDatabase, 'Fit 25k', async (id) => {
    log('importing 25,000 simulated customers…');
    await importOrders(systemCaller(pgDatabase, id), ordersCsv(25_000, 2, (i) => `F-${i}`).csv);
  });
  const caller = systemCaller(pgDatabase, workspaceId);
  const runs: number[] = [];
  const lag: { maxMs: number; p99Ms: number }[] = [];
  const phases: FitPhaseTimings[] = [];
  let model;
  for (let i = 0; i < 3; i++) {
    // How long this process's event loop was blocked during the fit (what a gateway's requests would wait).
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    model = await fitClvModel(caller, { trigger: 'cli', onPhaseTimings: (t) => phases.push(t) });
    runs.push(Math.round(performance.now() - started));
    delay.disable();
    lag.push({ maxMs: Math.round(delay.max / 1e6), p99Ms: Math.round(delay.percentile(99) / 1e6) });
  }
  // The maths alone, on the same customers' summaries.
  const rows = await pgDatabase.prisma.$queryRawUnsafe<{ customer: string; at: Date; value: string }[]>(
    `SELECT "customerId" AS customer, "orderedAt" AS at, total::text AS value FROM "Order" WHERE "workspaceId" = $1::uuid`,
    workspaceId,
  );
  const summaries = summarizeTransactions(rows.map((r) => ({ customer: r.customer, at: r.at, value: Number(r.value) })), new Date(asOf));
  const started = performance.now();
  const bg = fitBgNbd(summaries);
  const gg = fitGammaGamma(summaries);
  results.fit25k = {
    customers: model!.customers, orders: rows.length, endToEndMs: runs, phasesMs: phases, eventLoopLagDuringFit: lag, mathsMs: Math.round(performance.now() - started),
    evaluations: bg.evaluations, converged: bg.converged && gg.converged,
    recovered: { r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b, p: gg.p, q: gg.q, gamma: gg.gamma }, truth,
  };
  log(JSON.stringify(results.fit25k));
}

const PAGE = /* GraphQL */ `
  query ($first: Int!, $orderBy: [CustomerOrderBy!]) {
    customers(first: $first, orderBy: $orderBy) {
      edges { node { id name analytics {
        historicalRevenue margin profit shareOfWallet probabilityAlive expectedPurchases(weeks: 26) expectedOrderValue
        predictedLifetimeValue rfm { recency frequency monetary segment }
      } } }
    }
  }
`;

/** Each workspace report with all its fields (docs/analytics.md). */
const REPORTS: Record<string, string> = {
  customerEquity: 'customerEquity { total customers bySegment { key customers equity share } byStage { key customers equity share } }',
  valueConcentration: 'valueConcentration(points: 20) { customers totalProfit top20Share whaleCurve { customers customerShare cumulativeProfit profitShare } }',
  defectionRate: 'defectionRate { month activeAtStart defections rate }',
  defectionReasons: 'defectionReasons { source reason count }',
  atRiskCustomers: 'atRiskCustomers(first: 50) { totalCount edges { node { id name } } }',
  cohorts: 'cohorts { cohort size retained retention }',
  lifecycleFunnel: 'lifecycleFunnel { stage reached converted conversionRate averageDaysInStage completedStays }',
  satisfaction: 'satisfaction { bySegment { segment csatResponses averageCsat npsResponses nps } byMonth { month averageCsat nps } }',
  campaignEffectiveness: 'campaignEffectiveness { name sent responded redeemed attributedOrders attributedRevenue roi }',
  segmentProfit: 'segmentProfit { month segment buyers revenue productCost costToServe profit }',
  segmentSnapshots: 'segmentSnapshots { month segment customers equity monthRevenue monthProfit }',
};

// 3. A 50-customer page with analytics on 10,000 customers / 100,000 orders.
if (pgDatabase && !args['skip-page']) {
  const workspaceId = await benchWorkspace(pgDatabase, 'Page 10k', async (id) => {
    log('seeding 10,000 customers…');
    await seedWorkspace(pgDatabase.prisma, id, { customers: 10_000, seed: 42 });
  });
  // The seed makes ~1.5 orders a customer; imported histories of the same customers top them up to 100,000.
  const refs = (await pgDatabase.prisma.customer.findMany({ where: { workspaceId }, select: { externalRef: true }, orderBy: { externalRef: 'asc' } })).map((c) => c.externalRef!);
  for (let round = 3; ; round++) {
    const have = await pgDatabase.prisma.order.count({ where: { workspaceId } });
    if (have >= 100_000) break;
    log(`orders: ${have}; importing more histories of the demo customers…`);
    await importOrders(systemCaller(pgDatabase, workspaceId), ordersCsv(refs.length, round, (i) => refs[i]!, 100_000 - have).csv);
  }
  const caller = systemCaller(pgDatabase, workspaceId);
  await fitClvModel(caller, { trigger: 'cli' });
  await pgDatabase.prisma.$executeRawUnsafe('ANALYZE "CustomerScore"');
  const [customers, orders] = await Promise.all([
    pgDatabase.prisma.customer.count({ where: { workspaceId } }),
    pgDatabase.prisma.order.count({ where: { workspaceId } }),
  ]);
  let statements = 0;
  const database = await openDatabase({ kind: 'postgres', url: await ensurePostgresDatabase(adminUrl, args.database) }, { onQuery: () => statements++ });
  const gateway = createGateway({ database, logger: silentLogger, clvRefresh: false, monthEndSnapshots: false, rateLimit: { perMinute: 0 } });
  const url = await gateway.listen(0);
  const { apiKey } = await issueApiKey(pgDatabase.prisma, { workspaceId, name: 'bench', role: 'READ_ONLY' });
  const postQuery = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
  };
  /** p50/p95/max of `requests` sequential requests after 20 warm-ups, and the SQL statements of one. */
  const measure = async (query: string, variables: Record<string, unknown>, requests: number) => {
    for (let i = 0; i < 20; i++) await postQuery(query, variables);
    const before = statements;
    await postQuery(query, variables);
    const statementsPerRequest = statements - before;
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      await postQuery(query, variables);
      times.push(performance.now() - started);
    }
    times.sort((x, y) => x - y);
    const pct = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 10) / 10;
    return { requests: times.length, p50Ms: pct(0.5), p95Ms: pct(0.95), maxMs: pct(1), statementsPerRequest };
  };
  const variants = {
    defaultOrder: null,
    byPredictedValue: [{ field: 'PREDICTED_LIFETIME_VALUE', direction: 'DESC' }],
    byProbabilityAlive: [{ field: 'PROBABILITY_ALIVE', direction: 'DESC' }],
  };
  const page50: Record<string, unknown> = { customers, orders };
  for (const [name, orderBy] of Object.entries(variants)) page50[name] = await measure(PAGE, { first: 50, orderBy }, Number(args.requests));
  results.page50 = page50;
  log(JSON.stringify(results.page50));

  // 4. Every workspace report, one request each, on the same workspace (the default period: the last 12 months).
  const reports: Record<string, unknown> = {};
  const only = args.reports?.split(',');
  for (const [name, selection] of Object.entries(REPORTS).filter(([name]) => !only || only.includes(name))) {
    reports[name] = await measure(`{ reports { ${selection} } }`, {}, Math.max(20, Math.round(Number(args.requests) / 4)));
    log(`${name}: ${JSON.stringify(reports[name])}`);
  }
  results.reports = reports;
  await gateway.close(1000);
  await database.close();
}
await pgDatabase?.close();
process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
