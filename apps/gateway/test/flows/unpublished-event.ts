import type { TestGateway } from '../../src/testing/index.js';

/**
 * Commits a `customer.updated` event the way a command does (the workspace's next seq, under its row lock) but
 * never publishes it: as if the process had died between commit and publish.
 */
export async function commitUnpublishedEvent(t: TestGateway, workspaceId: string, customerGlobalId: string, changed: string[]): Promise<void> {
  const rowId = Buffer.from(customerGlobalId, 'base64').toString().split(':')[1];
  await t.database.sql.query(
    `WITH next AS (
       INSERT INTO "EventSequence" AS s ("workspaceId", "lastSeq") VALUES ($1, 1)
       ON CONFLICT ("workspaceId") DO UPDATE SET "lastSeq" = s."lastSeq" + 1 RETURNING s."lastSeq")
     , event AS (
       INSERT INTO "Event" (id, "workspaceId", seq, type, "subjectType", "subjectId", actor, payload)
       SELECT gen_random_uuid(), $1, next."lastSeq", 'customer.updated', 'Customer', $2::uuid, 'system', $3::jsonb
         FROM next
       RETURNING id, "occurredAt")
     -- Numbered here, not by the trigger at commit, so its outbox row is written here too.
     INSERT INTO "EventOutbox" ("eventId", "occurredAt") SELECT id, "occurredAt" FROM event`,
    [workspaceId, rowId, JSON.stringify({ changed })],
  );
}
