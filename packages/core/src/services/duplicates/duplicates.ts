import type { ScopedPrisma } from '@crm/db';
import { emailKeySql } from './match-keys.js';

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

/** A name compared: lower case (names are trimmed when written). */
const nameKey = (column: string) => `lower(${column})`;
const emailKey = (alias: string) => emailKeySql(`${alias}.email`);

/**
 * Candidate pairs come from shared keys, never from comparing every customer with every other: the same normalised
 * email (lower case, `+tag` removed), the same phone in E.164 (`phoneE164`), the same name, or, within one company, the
 * same first or last word of the name. Each key is one grouping over the workspace's customers (a key shared by more
 * than 50 customers, a very common name, is no evidence and is skipped). Each candidate is then scored on all the
 * evidence. One statement; trashed customers are left out.
 */
const customerPairsSql = `
WITH c AS MATERIALIZED (
  SELECT id, ${nameKey('name')} AS name_key, ${emailKey('"Customer"')} AS email_key, "phoneE164" AS phone, "companyId" AS company
    FROM "Customer" WHERE "workspaceId" = $1::uuid AND "deletedAt" IS NULL),
keys AS (
  SELECT 'e' || email_key AS key, id FROM c WHERE email_key IS NOT NULL
  UNION ALL SELECT 'p' || phone, id FROM c WHERE phone IS NOT NULL
  UNION ALL SELECT 'n' || name_key, id FROM c
  UNION ALL SELECT 'f' || company || split_part(name_key, ' ', 1), id FROM c WHERE company IS NOT NULL
  UNION ALL SELECT 'l' || company || reverse(split_part(reverse(name_key), ' ', 1)), id FROM c WHERE company IS NOT NULL),
shared AS (SELECT key FROM keys GROUP BY key HAVING count(*) BETWEEN 2 AND 50),
candidates AS (
  SELECT DISTINCT x.id AS a, y.id AS b FROM keys x JOIN keys y ON x.key = y.key AND x.id < y.id WHERE x.key IN (SELECT key FROM shared)),
scored AS (
  SELECT p.a, p.b, similarity(x.name, y.name) AS similarity,
         coalesce(${emailKey('x')} = ${emailKey('y')}, false) AS email, coalesce(x."phoneE164" = y."phoneE164", false) AS phone,
         coalesce(x."companyId" = y."companyId", false) AS company
    FROM candidates p JOIN "Customer" x ON x.id = p.a JOIN "Customer" y ON y.id = p.b)
SELECT a::text, b::text, similarity::float8 AS similarity,
       (1 - (1 - CASE WHEN email THEN 0.9 ELSE 0 END) * (1 - CASE WHEN phone THEN 0.8 ELSE 0 END)
          * (1 - 0.6 * similarity) * (1 - CASE WHEN company THEN 0.2 ELSE 0 END))::float8 AS score,
       array_remove(ARRAY[CASE WHEN email THEN 'EMAIL' END, CASE WHEN phone THEN 'PHONE' END,
         CASE WHEN similarity >= 0.5 THEN 'NAME' END, CASE WHEN company THEN 'COMPANY' END], NULL) AS reasons
  FROM scored WHERE email OR phone OR similarity >= 0.5 ORDER BY score DESC, a, b LIMIT $2`;

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
  const rows = await db.$queryRawUnsafe<PairRow[]>(object === 'customer' ? customerPairsSql : companyPairsSql, workspaceId, first);
  return rows.map((row) => ({
    ids: [row.a, row.b],
    score: Math.round(Number(row.score) * 1000) / 1000,
    reasons: row.reasons,
    nameSimilarity: Math.round(Number(row.similarity) * 1000) / 1000,
  }));
}
