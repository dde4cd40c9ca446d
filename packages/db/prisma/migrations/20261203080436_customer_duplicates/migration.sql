-- CreateTable
CREATE TABLE "CustomerDuplicate" (
    "customerId" UUID NOT NULL,
    "otherId" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "similarity" DOUBLE PRECISION NOT NULL,
    "reasons" TEXT[],

    CONSTRAINT "CustomerDuplicate_pkey" PRIMARY KEY ("customerId","otherId")
);

-- CreateTable
CREATE TABLE "CustomerDuplicateCheck" (
    "customerId" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,

    CONSTRAINT "CustomerDuplicateCheck_pkey" PRIMARY KEY ("customerId")
);

-- CreateIndex
CREATE INDEX "CustomerDuplicate_workspaceId_score_customerId_otherId_idx" ON "CustomerDuplicate"("workspaceId", "score" DESC, "customerId", "otherId");

-- CreateIndex
CREATE INDEX "CustomerDuplicate_otherId_idx" ON "CustomerDuplicate"("otherId");

-- CreateIndex
CREATE INDEX "CustomerDuplicateCheck_workspaceId_idx" ON "CustomerDuplicateCheck"("workspaceId");

-- AddForeignKey
ALTER TABLE "CustomerDuplicate" ADD CONSTRAINT "CustomerDuplicate_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerDuplicate" ADD CONSTRAINT "CustomerDuplicate_otherId_fkey" FOREIGN KEY ("otherId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand from here (Prisma does not model functions, expression indexes or triggers). Duplicate pairs are
-- found by blocking keys, each served by an index, never by comparing every customer with every other: the same
-- normalised email, the same E.164 phone, the same name, or within one company the same first or last word of the
-- name. A key shared by 50 customers or more is no evidence and is skipped. Candidates are then scored on all the
-- evidence (docs/data.md documents the weights). Statement-level triggers with transition tables queue the rows a
-- statement changed (CustomerDuplicateCheck), so a 5,000-row import batch is one
-- queue insert, whatever its size; `duplicates` first re-scores the queued customers of its workspace (one statement,
-- `crm_customer_duplicates_refresh`), then reads the stored pairs by one index scan. Bulk writes (imports) stay cheap,
-- and the pairs are exact as of each read.

-- The normalised email: lower case, `+tag` removed (emailKeySql in packages/core/src/services/duplicates/match-keys.ts
-- calls this function).
CREATE FUNCTION crm_email_key(email TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(CASE WHEN strpos(email, '+') > 0 THEN split_part(email, '+', 1) || '@' || split_part(email, '@', 2) ELSE email END)
$$;
CREATE FUNCTION crm_first_word(name TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT split_part(lower(name), ' ', 1)
$$;
CREATE FUNCTION crm_last_word(name TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT reverse(split_part(reverse(lower(name)), ' ', 1))
$$;

CREATE INDEX "Customer_duplicate_email_idx" ON "Customer" ("workspaceId", crm_email_key(email)) WHERE "deletedAt" IS NULL AND email IS NOT NULL;
CREATE INDEX "Customer_duplicate_name_idx" ON "Customer" ("workspaceId", lower(name)) WHERE "deletedAt" IS NULL;
CREATE INDEX "Customer_duplicate_first_word_idx" ON "Customer" ("companyId", crm_first_word(name)) WHERE "deletedAt" IS NULL AND "companyId" IS NOT NULL;
CREATE INDEX "Customer_duplicate_last_word_idx" ON "Customer" ("companyId", crm_last_word(name)) WHERE "deletedAt" IS NULL AND "companyId" IS NOT NULL;

-- Forgets every pair of the given customers, then finds and scores their pairs again (none for a trashed or deleted
-- customer). Returns how many customers it looked at.
CREATE FUNCTION crm_customer_duplicates_refresh(ids UUID[]) RETURNS INTEGER LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN RETURN 0; END IF;
  DELETE FROM "CustomerDuplicate" WHERE "customerId" = ANY(ids) OR "otherId" = ANY(ids);
  INSERT INTO "CustomerDuplicate" ("customerId", "otherId", "workspaceId", score, similarity, reasons)
  WITH c AS MATERIALIZED (SELECT * FROM "Customer" WHERE id = ANY(ids) AND "deletedAt" IS NULL),
  matches AS (
    SELECT c.id AS cid, o.id AS oid, count(*) OVER (PARTITION BY c.id) AS n
      FROM c JOIN "Customer" o ON o."workspaceId" = c."workspaceId" AND crm_email_key(o.email) = crm_email_key(c.email)
     WHERE o."deletedAt" IS NULL AND o.email IS NOT NULL AND o.id <> c.id
    UNION ALL
    SELECT c.id, o.id, count(*) OVER (PARTITION BY c.id)
      FROM c JOIN "Customer" o ON o."workspaceId" = c."workspaceId" AND o."phoneE164" = c."phoneE164"
     WHERE o."deletedAt" IS NULL AND o."phoneE164" IS NOT NULL AND o.id <> c.id
    UNION ALL
    SELECT c.id, o.id, count(*) OVER (PARTITION BY c.id)
      FROM c JOIN "Customer" o ON o."workspaceId" = c."workspaceId" AND lower(o.name) = lower(c.name)
     WHERE o."deletedAt" IS NULL AND o.id <> c.id
    UNION ALL
    SELECT c.id, o.id, count(*) OVER (PARTITION BY c.id)
      FROM c JOIN "Customer" o ON o."companyId" = c."companyId" AND crm_first_word(o.name) = crm_first_word(c.name)
     WHERE o."deletedAt" IS NULL AND o."companyId" IS NOT NULL AND o.id <> c.id
    UNION ALL
    SELECT c.id, o.id, count(*) OVER (PARTITION BY c.id)
      FROM c JOIN "Customer" o ON o."companyId" = c."companyId" AND crm_last_word(o.name) = crm_last_word(c.name)
     WHERE o."deletedAt" IS NULL AND o."companyId" IS NOT NULL AND o.id <> c.id),
  pairs AS (SELECT DISTINCT least(cid, oid) AS a, greatest(cid, oid) AS b FROM matches WHERE n < 50),
  evidence AS (
    SELECT p.a, p.b, x."workspaceId", similarity(lower(x.name), lower(y.name)) AS similarity,
           coalesce(crm_email_key(x.email) = crm_email_key(y.email), false) AS email,
           coalesce(x."phoneE164" = y."phoneE164", false) AS phone, coalesce(x."companyId" = y."companyId", false) AS company
      FROM pairs p JOIN "Customer" x ON x.id = p.a JOIN "Customer" y ON y.id = p.b)
  SELECT a, b, "workspaceId",
         1 - (1 - CASE WHEN email THEN 0.9 ELSE 0 END) * (1 - CASE WHEN phone THEN 0.8 ELSE 0 END)
           * (1 - 0.6 * similarity) * (1 - CASE WHEN company THEN 0.2 ELSE 0 END),
         similarity,
         array_remove(ARRAY[CASE WHEN email THEN 'EMAIL' END, CASE WHEN phone THEN 'PHONE' END,
           CASE WHEN similarity >= 0.5 THEN 'NAME' END, CASE WHEN company THEN 'COMPANY' END], NULL)
    FROM evidence WHERE email OR phone OR similarity >= 0.5
  ON CONFLICT ("customerId", "otherId") DO UPDATE SET
    score = EXCLUDED.score, similarity = EXCLUDED.similarity, reasons = EXCLUDED.reasons;
  RETURN cardinality(ids);
END $$;

CREATE FUNCTION crm_customer_duplicates_inserted() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CustomerDuplicateCheck" ("customerId", "workspaceId") SELECT id, "workspaceId" FROM new_rows ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- Only rows whose evidence changed are queued (an order updating lifetimeValue queues nothing).
CREATE FUNCTION crm_customer_duplicates_updated() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CustomerDuplicateCheck" ("customerId", "workspaceId")
  SELECT n.id, n."workspaceId" FROM new_rows n JOIN old_rows o ON o.id = n.id
   WHERE (n.name, n.email, n."phoneE164", n."companyId", n."deletedAt") IS DISTINCT FROM (o.name, o.email, o."phoneE164", o."companyId", o."deletedAt")
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER customer_duplicates_inserted AFTER INSERT ON "Customer"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_duplicates_inserted();
CREATE TRIGGER customer_duplicates_updated AFTER UPDATE ON "Customer"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_duplicates_updated();

-- The customers already there are scored at the first read.
INSERT INTO "CustomerDuplicateCheck" ("customerId", "workspaceId") SELECT id, "workspaceId" FROM "Customer";
