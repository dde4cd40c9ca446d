// What the queue tests share: the ticker fixture's rows, a wake through its route, and waiting for a condition.
import type { PluginTestGateway } from '../src/index.js';

/** Retries `check` until it passes (a generous deadline: only a broken queue reaches it). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Adds `count` TickerJob rows of the kit's first workspace, due `inMs` from now, by SQL alone (no wake). */
export async function addJobs(kit: PluginTestGateway, count: number, inMs = 0): Promise<string[]> {
  const rows = await kit.database.sql.query<{ id: string }>(
    `INSERT INTO "TickerJob" (id, "workspaceId", "dueAt") SELECT gen_random_uuid(), $1::uuid, now() + $2::int * interval '1 millisecond'
     FROM generate_series(1, $3::int) RETURNING id::text AS id`,
    [kit.workspace.workspaceId, inMs, count],
  );
  return rows.map((row) => row.id);
}

/** Each handled job's handlings, as the claims it had then: `[1]` is handled once, on its first claim. */
export async function handlings(kit: PluginTestGateway): Promise<Map<string, number[]>> {
  const rows = await kit.database.sql.query<{ jobId: string; claims: number }>(`SELECT "jobId"::text AS "jobId", claims FROM "TickerDone" ORDER BY "createdAt"`);
  const byJob = new Map<string, number[]>();
  for (const { jobId, claims } of rows) byJob.set(jobId, [...(byJob.get(jobId) ?? []), claims]);
  return byJob;
}

/** Wakes the ticker's queue `times` times at once, as its route does (`ctx.wake()`), and waits for the answer. */
export async function wake(kit: PluginTestGateway, times = 1): Promise<void> {
  const response = await fetch(`${kit.url}/plugins/ticker/wake/${kit.workspace.workspaceId}`, { method: 'POST', body: String(times) });
  if (response.status !== 202) throw new Error(`wake answered ${response.status}`);
}
