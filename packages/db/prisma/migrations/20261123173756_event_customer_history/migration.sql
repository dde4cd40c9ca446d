-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "customerId" UUID;

-- CreateIndex
CREATE INDEX "Event_workspaceId_customerId_seq_idx" ON "Event"("workspaceId", "customerId", "seq");

-- Backfill: file existing events in their customer's history (the subject, or the payload's customerId).
UPDATE "Event" SET "customerId" = CASE
    WHEN "subjectType" = 'Customer' THEN "subjectId"
    WHEN "payload"->>'customerId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN ("payload"->>'customerId')::uuid
  END
 WHERE "subjectType" = 'Customer' OR "payload" ? 'customerId';
UPDATE "Event" e SET "customerId" = d."customerId" FROM "Deal" d
 WHERE e."customerId" IS NULL AND e."subjectType" = 'Deal' AND d.id = e."subjectId";
UPDATE "Event" e SET "customerId" = t."customerId" FROM "Ticket" t
 WHERE e."customerId" IS NULL AND e."subjectType" = 'Ticket' AND t.id = e."subjectId";
