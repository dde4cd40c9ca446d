// Warm-up on start: the first requests after a start pay for cold caches (the API key's hash check, Prisma's query
// plans, the embedded database's pages, V8 compiling the resolvers, Yoga's parse/validate cache): ~1 s on a loaded
// 2-core machine for the dashboard's first figures, against ~0.2 s warm. `npm start` runs the dashboard's first-load
// operations once, with the demo key, before it prints the URL, so the first person to open it does not pay.
import type { Logger } from './logger.js';

/**
 * The operations the dashboard's overview sends on its first load (apps/dashboard: key figures, who am I, the
 * pipelines, Customer's fields, the report charts). Same fields as the dashboard's documents; a differently spelt
 * document only misses Yoga's parse cache (a millisecond), not the costly parts.
 */
export const DASHBOARD_FIRST_LOAD = [
  `query DashboardMetrics { dashboardMetrics { asOf customersByStage { stage count } openPipelineValue weightedPipelineValue
     dealsWonThisMonth dealsLostThisMonth revenueThisMonth openTickets averageCsat newCustomersThisWeek } }`,
  `query WhoAmI { viewer { role actor } workspace { id name } }`,
  `query Pipelines { pipelines { id name isDefault openValue weightedValue stages { id name position probability isWon isLost } } }`,
  `query CustomerFields { __type(name: "Customer") { fields { name } } }`,
  `query OverviewReports { reports { revenueByMonth(months: 12) { month revenue orders }
     customerEquity { total customers bySegment { key customers equity share } } cohorts { cohort size retained retention } } }`,
];

/** Rounds of the operations: the second runs what the first compiled (graphql-jit compiles on first use). */
const ROUNDS = 2;

/**
 * Sends the dashboard's first-load operations to the running gateway at `baseUrl` with `apiKey`, one after the other.
 * Never fails the start: an error is logged and the gateway serves anyway.
 */
export async function warmUp(baseUrl: string, apiKey: string, logger: Logger): Promise<void> {
  const started = Date.now();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const query of DASHBOARD_FIRST_LOAD) {
        const response = await fetch(`${baseUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          // Named, so the request log says which operation warmed up.
          body: JSON.stringify({ query, operationName: /^query (\w+)/.exec(query)?.[1] }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await response.json()) as { errors?: { message: string }[] };
        if (body.errors?.length) throw new Error(body.errors[0]!.message);
      }
    }
    logger.info('warmed up', { ms: Date.now() - started });
  } catch (error) {
    logger.warn('warm-up failed (the gateway serves anyway)', { error: String(error) });
  }
}
