import type { RoleGrants } from '@crm/core';
import type { Role, SqlSession } from '@crm/db';

// The delivery queue, in SQL. Every function is ONE statement: atomic on its own, safe on PGlite's single
// connection (where a multi-statement transaction by hand could interleave with Prisma's), and safe between gateway
// instances sharing a PostgreSQL database (row locks with SKIP LOCKED, leases, a unique key per webhook and event).

/** The event as a delivery keeps it (the body is rendered from this). */
export interface DeliveryEvent {
  id: string;
  type: string;
  occurredAt: string;
  actor: string;
  subjectType: string;
  subjectId: string;
  payload: unknown;
}

/** A delivery claimed for one attempt, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  workspaceId: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  event: DeliveryEvent;
  /** This attempt's number in the current cycle (1 = first). */
  attempts: number;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | string | null;
  /** The role the webhook delivers as (see delivery-audience.ts): built-in, or its custom role's when set. */
  role: Role;
  customRoleId: string | null;
  customRoleName: string | null;
  customRoleGrants: RoleGrants | null;
}

/**
 * Turns new events into deliveries: for up to `webhooks` enabled webhooks behind their workspace's event sequence
 * (locked, skipping those another instance holds), reads up to `events` events after each one's cursor, inserts a
 * delivery for every event its patterns match, and moves the cursor past everything read.
 *
 * Only committed events are visible, and a workspace's events commit in seq order (the lock on its counter's row,
 * `EventSequence`, numbers them), so what is read is always a prefix of the log: the cursor never skips an event that
 * commits later.
 */
export async function enqueueDeliveries(sql: SqlSession, limits: { webhooks: number; events: number }): Promise<{ webhooks: number; deliveries: number }> {
  const [row] = await sql.query<{ webhooks: number; deliveries: number }>(
    `WITH hooks AS (
       SELECT h.id, h."workspaceId", h."cursorSeq", h."eventTypes"
         FROM "Webhook" h JOIN "EventSequence" s ON s."workspaceId" = h."workspaceId"
        WHERE h.enabled AND h."cursorSeq" < s."lastSeq"
        LIMIT $1
          FOR UPDATE OF h SKIP LOCKED
     ), scanned AS (
       SELECT h.id AS "webhookId", h."eventTypes", e.*
         FROM hooks h
        CROSS JOIN LATERAL (
          SELECT e.id AS "eventId", e."workspaceId", e.seq, e.type, e."subjectType", e."subjectId", e.actor, e.payload, e."occurredAt"
            FROM "Event" e
           WHERE e."workspaceId" = h."workspaceId" AND e.seq > h."cursorSeq"
           ORDER BY e.seq
           LIMIT $2
        ) e
     ), inserted AS (
       INSERT INTO "WebhookDelivery" (id, "workspaceId", "webhookId", "eventId", "eventSeq", "eventType", event)
       SELECT gen_random_uuid(), s."workspaceId", s."webhookId", s."eventId", s.seq, s.type,
              jsonb_build_object('id', s."eventId", 'type', s.type, 'occurredAt', s."occurredAt", 'actor', s.actor,
                                 'subjectType', s."subjectType", 'subjectId', s."subjectId", 'payload', s.payload)
         FROM scanned s
        WHERE EXISTS (
                SELECT 1 FROM unnest(s."eventTypes") AS p(pattern)
                 WHERE p.pattern = '*' OR p.pattern = s.type
                    OR (right(p.pattern, 2) = '.*' AND starts_with(s.type, left(p.pattern, -1))))
       ON CONFLICT ("webhookId", "eventId") DO NOTHING
       RETURNING 1
     ), advanced AS (
       UPDATE "Webhook" h SET "cursorSeq" = GREATEST(h."cursorSeq", m.last)
         FROM (SELECT "webhookId", max(seq) AS last FROM scanned GROUP BY "webhookId") m
        WHERE h.id = m."webhookId"
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM advanced)::int AS webhooks, (SELECT count(*) FROM inserted)::int AS deliveries`,
    [limits.webhooks, limits.events],
  );
  return row ?? { webhooks: 0, deliveries: 0 };
}

/** How many deliveries a claim may take, overall and per webhook; webhooks to leave out (busy in this process). */
export interface ClaimLimits {
  limit: number;
  perWebhook: number;
  skipWebhooks: readonly string[];
  leaseMs: number;
}

/**
 * Claims due deliveries of enabled webhooks for one attempt each: counts the attempt and leases the row (its next
 * attempt moves `leaseMs` ahead), so no other instance takes it while it is sent. If this process dies mid-attempt,
 * the lease runs out and another instance retries it. At most `perWebhook` per webhook, so that one slow endpoint
 * cannot take every slot from the others.
 */
export async function claimDueDeliveries(sql: SqlSession, limits: ClaimLimits): Promise<ClaimedDelivery[]> {
  if (limits.limit <= 0) return [];
  return sql.query<ClaimedDelivery>(
    `WITH due AS (
       SELECT c.id, c."webhookId", c."nextAttemptAt", c."eventSeq"
         FROM "WebhookDelivery" c JOIN "Webhook" ch ON ch.id = c."webhookId"
        WHERE c.status = 'PENDING' AND c."nextAttemptAt" <= now() AND ch.enabled AND NOT (c."webhookId" = ANY($3::uuid[]))
        ORDER BY c."nextAttemptAt", c."eventSeq"
        LIMIT $1::int * 8
     ), fair AS (
       SELECT id FROM (
         SELECT id, row_number() OVER (PARTITION BY "webhookId" ORDER BY "nextAttemptAt", "eventSeq") AS rank FROM due
       ) ranked
        WHERE rank <= $4
     )
     UPDATE "WebhookDelivery" d
        SET attempts = d.attempts + 1, "lastAttemptAt" = now(), "nextAttemptAt" = now() + $2::int * interval '1 millisecond'
       FROM "Webhook" h LEFT JOIN "CustomRole" r ON r.id = h."customRoleId"
      WHERE h.id = d."webhookId"
        AND d.id IN (
              SELECT c.id FROM "WebhookDelivery" c
               WHERE c.id IN (SELECT id FROM fair) AND c.status = 'PENDING' AND c."nextAttemptAt" <= now()
               ORDER BY c."nextAttemptAt", c."eventSeq"
               LIMIT $1
                 FOR UPDATE OF c SKIP LOCKED)
  RETURNING d.id, d."workspaceId", d."webhookId", d."eventId", d."eventType", d.event, d.attempts,
            h.url, h.secret, h."previousSecret", h."previousSecretExpiresAt",
            h.role, h."customRoleId", r.name AS "customRoleName", r.grants AS "customRoleGrants"`,
    [limits.limit, limits.leaseMs, limits.skipWebhooks, limits.perWebhook],
  );
}

/** Workspaces that have at least one enabled webhook. */
export async function workspacesWithWebhooks(sql: SqlSession): Promise<string[]> {
  const rows = await sql.query<{ workspaceId: string }>(`SELECT DISTINCT "workspaceId" FROM "Webhook" WHERE enabled`);
  return rows.map((row) => row.workspaceId);
}

/** Deletes deliveries that are not to be sent (their webhook's role does not see the event): one statement. */
export async function dropDeliveries(sql: SqlSession, ids: readonly string[]): Promise<void> {
  if (ids.length) await sql.query(`DELETE FROM "WebhookDelivery" WHERE id = ANY($1::uuid[])`, [ids]);
}

/** Deletes up to 5,000 finished (delivered or failed) deliveries made more than `keepMs` ago. */
export async function pruneDeliveryLog(sql: SqlSession, keepMs: number): Promise<number> {
  const [row] = await sql.query<{ removed: number }>(
    `WITH gone AS (
       DELETE FROM "WebhookDelivery"
        WHERE id IN (SELECT id FROM "WebhookDelivery"
                      WHERE status <> 'PENDING' AND "createdAt" < now() - $1::bigint * interval '1 millisecond'
                      LIMIT 5000)
       RETURNING 1)
     SELECT count(*)::int AS removed FROM gone`,
    [keepMs],
  );
  return row?.removed ?? 0;
}
