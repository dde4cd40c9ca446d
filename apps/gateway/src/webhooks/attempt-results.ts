import type { SqlSession } from '@crm/db';

/** The outcome of one attempt, to be recorded. */
export interface AttemptResult {
  deliveryId: string;
  webhookId: string;
  ok: boolean;
  /** The answer's HTTP status; null without an answer. */
  status: number | null;
  error: string | null;
  durationMs: number;
  /** When to try again; null when the retries are exhausted (or it succeeded). */
  retryInMs: number | null;
}

/** A webhook's failure streak after its results were recorded. */
export interface FailureStreak {
  webhookId: string;
  workspaceId: string;
  enabled: boolean;
  consecutiveFailures: number;
  failingForMs: number;
}

/**
 * How each webhook's streak changes with these results, in the order they ended: a success resets it, so only the
 * failures after a webhook's last success count (added to the stored streak when the batch has no success).
 */
export function streakChanges(results: readonly AttemptResult[]): Map<string, { reset: boolean; failures: number }> {
  const changes = new Map<string, { reset: boolean; failures: number }>();
  for (const result of results) {
    const change = changes.get(result.webhookId) ?? { reset: false, failures: 0 };
    if (result.ok) Object.assign(change, { reset: true, failures: 0 });
    else change.failures++;
    changes.set(result.webhookId, change);
  }
  return changes;
}

/**
 * Records a batch of attempt results in ONE statement (so that a busy worker needs about one statement per claimed
 * batch and one per recorded batch, not two per delivery): deliveries become DELIVERED, FAILED, or PENDING again
 * with their retry time; a failure of a delivery no longer pending (its webhook was disabled meanwhile) is dropped.
 * Each webhook's failure streak moves; returns the streaks of webhooks that are failing.
 */
export async function recordAttemptResults(sql: SqlSession, results: readonly AttemptResult[]): Promise<FailureStreak[]> {
  if (!results.length) return [];
  const changes = [...streakChanges(results)];
  return sql.query<FailureStreak>(
    `WITH r AS (
       SELECT * FROM unnest($1::uuid[], $2::bool[], $3::int[], $4::text[], $5::int[], $6::int[])
                  AS r(id, ok, status, error, duration, retry)
     ), d AS (
       UPDATE "WebhookDelivery" d
          SET status = (CASE WHEN r.ok THEN 'DELIVERED' WHEN r.retry IS NULL THEN 'FAILED' ELSE 'PENDING' END)::"WebhookDeliveryStatus",
              "deliveredAt" = CASE WHEN r.ok THEN now() ELSE d."deliveredAt" END,
              "nextAttemptAt" = CASE WHEN r.ok OR r.retry IS NULL THEN NULL ELSE now() + r.retry * interval '1 millisecond' END,
              "lastResponseStatus" = r.status, "lastError" = r.error, "lastDurationMs" = r.duration
         FROM r
        WHERE d.id = r.id AND (r.ok OR d.status = 'PENDING')
       RETURNING d."webhookId"
     ), s AS (
       SELECT * FROM unnest($7::uuid[], $8::bool[], $9::int[]) AS s("webhookId", reset, failures)
        WHERE s."webhookId" IN (SELECT "webhookId" FROM d)
     )
     UPDATE "Webhook" h
        SET "consecutiveFailures" = CASE WHEN s.reset THEN s.failures ELSE h."consecutiveFailures" + s.failures END,
            "failingSince" = CASE WHEN s.failures = 0 THEN NULL WHEN s.reset THEN now() ELSE COALESCE(h."failingSince", now()) END
       FROM s
      WHERE h.id = s."webhookId"
        -- the usual case, success on a healthy webhook, leaves its row alone
        AND (s.failures > 0 OR h."consecutiveFailures" > 0)
     RETURNING h.id AS "webhookId", h."workspaceId", h.enabled, h."consecutiveFailures",
               COALESCE(extract(epoch FROM now() - h."failingSince") * 1000, 0)::float8 AS "failingForMs"`,
    [
      results.map((r) => r.deliveryId),
      results.map((r) => r.ok),
      results.map((r) => r.status),
      results.map((r) => (r.error === null ? null : r.error.slice(0, 1000))),
      results.map((r) => r.durationMs),
      results.map((r) => r.retryInMs),
      changes.map(([webhookId]) => webhookId),
      changes.map(([, change]) => change.reset),
      changes.map(([, change]) => change.failures),
    ],
  );
}

/** Runs `fn` again (up to 3 times) when PostgreSQL aborted it as a deadlock victim: two instances' batches can meet. */
export async function retryOnDeadlock<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt >= 3) throw error;
    }
  }
}
