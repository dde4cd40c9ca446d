import type { ScopedPrisma } from '@crm/db';

export type DuplicateReason = 'EMAIL' | 'PHONE' | 'NAME' | 'COMPANY' | 'DOMAIN';

/** Two records that may be the same person (or company), with the evidence. */
export interface DuplicatePair {
  ids: [string, string];
  /** 0 to 1: the evidence combined (`1 - Π(1 - weight)`). */
  score: number;
  reasons: DuplicateReason[];
  /** Trigram similarity of the two names (pg_trgm), 0 to 1. */
  nameSimilarity: number;
}

interface PairRow {
  a: string;
  b: string;
  score: number;
  reasons: DuplicateReason[];
  similarity: number;
}

/**
 * Customers' pairs are stored (`CustomerDuplicate`) and kept exact: writes queue the customers whose name, email,
 * phone, company or trash state changed (statement-level triggers, migration `customer_duplicates`), and this statement
 * first re-scores the workspace's queued customers. Candidates come from blocking keys, each served by an index, never
 * from comparing every customer with every other: the same normalised email (lower case, `+tag` removed), the same
 * phone in E.164 (`phoneE164`), the same name, or within one company the same first or last word of the name (a key
 * shared by 50 customers or more, a very common name, is no evidence and is skipped). Each candidate is scored on all
 * the evidence: email 0.9, phone 0.8, name 0.6 × trigram similarity (pg_trgm), same company 0.2, combined as
 * `1 − Π(1 − weight)`; a pair needs the email, the phone or a name similarity of 0.5. Claiming the queue (DELETE …
 * RETURNING) and re-scoring are one statement: concurrent readers wait for it and then read the same pairs.
 */
const refreshCustomerPairsSql = `
WITH claimed AS (DELETE FROM "CustomerDuplicateCheck" WHERE "workspaceId" = $1::uuid RETURNING "customerId")
SELECT crm_customer_duplicates_refresh(ARRAY(SELECT "customerId" FROM claimed ORDER BY 1)) AS rescored`;
const customerPairsSql = `
SELECT "customerId"::text AS a, "otherId"::text AS b, similarity, score, reasons
  FROM "CustomerDuplicate" WHERE "workspaceId" = $1::uuid ORDER BY score DESC, "customerId", "otherId" LIMIT $2`;

/** Companies: the same domain (scheme and `www.` removed), the same name without its legal form, or similar names. */
const companyName = (column: string) =>
  `btrim(regexp_replace(lower(${column}), '[.,]|\\m(inc|ltd|llc|gmbh|sa|sas|plc|ag|bv|co|corp|limited)\\M', '', 'g'))`;
const companyPairsSql = `
WITH c AS (
  SELECT id, name, ${companyName('name')} AS name_key,
         nullif(lower(regexp_replace(coalesce(domain, ''), '^(https?://)?(www\\.)?', '')), '') AS domain_key,
         split_part(${companyName('name')}, ' ', 1) AS first_word
    FROM "Company" WHERE "workspaceId" = $1::uuid AND "deletedAt" IS NULL),
candidates AS (
  SELECT a.id AS a, b.id AS b FROM c a JOIN c b ON a.domain_key = b.domain_key AND a.id < b.id
  UNION SELECT a.id, b.id FROM c a JOIN c b ON a.first_word = b.first_word AND a.id < b.id AND similarity(a.name_key, b.name_key) >= 0.5),
scored AS (
  SELECT p.a, p.b, similarity(x.name_key, y.name_key) AS similarity, x.domain_key = y.domain_key AS domain
    FROM candidates p JOIN c x ON x.id = p.a JOIN c y ON y.id = p.b)
SELECT a::text, b::text, similarity::float8 AS similarity,
       (1 - (1 - CASE WHEN domain THEN 0.9 ELSE 0 END) * (1 - 0.7 * similarity))::float8 AS score,
       array_remove(ARRAY[CASE WHEN domain THEN 'DOMAIN' END, CASE WHEN similarity >= 0.5 THEN 'NAME' END], NULL) AS reasons
  FROM scored ORDER BY score DESC, a, b LIMIT $2`;

/**
 * The most likely duplicate pairs of the workspace's customers or companies, best first (at most `first`). Raw SQL
 * bypasses the workspace scope, so the statement names the workspace itself.
 */
export async function findDuplicates(db: ScopedPrisma, workspaceId: string, object: 'customer' | 'company', first: number): Promise<DuplicatePair[]> {
  if (object === 'customer') await db.$queryRawUnsafe(refreshCustomerPairsSql, workspaceId);
  const rows = await db.$queryRawUnsafe<PairRow[]>(object === 'customer' ? customerPairsSql : companyPairsSql, workspaceId, first);
  return rows.map((row) => ({
    ids: [row.a, row.b],
    score: Math.round(Number(row.score) * 1000) / 1000,
    reasons: row.reasons,
    nameSimilarity: Math.round(Number(row.similarity) * 1000) / 1000,
  }));
}
