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

/** Names compared as words: lower case, single spaces. */
const nameKey = (column: string) => `lower(regexp_replace(btrim(${column}), '\\s+', ' ', 'g'))`;

/**
 * Candidate pairs are found by indexable or hashable keys, never by comparing every customer with every other:
 * the same normalised email (lower case, `+tag` removed), the same phone in E.164 (`phoneE164`, indexed), the same
 * name written alike, or the same company with a similar name (sharing the first or the last word, trigram
 * similarity ≥ 0.5). Each pair is then scored on all the evidence. One statement; trashed customers are left out.
 */
const customerPairsSql = `
WITH c AS (
  SELECT id, name, ${nameKey('name')} AS name_key, ${emailKeySql('email')} AS email_key, "phoneE164" AS phone, "companyId" AS company,
         split_part(${nameKey('name')}, ' ', 1) AS first_word,
         reverse(split_part(reverse(${nameKey('name')}), ' ', 1)) AS last_word
    FROM "Customer" WHERE "workspaceId" = $1::uuid AND "deletedAt" IS NULL),
candidates AS (
  SELECT a.id AS a, b.id AS b FROM c a JOIN c b ON a.email_key = b.email_key AND a.id < b.id
  UNION SELECT a.id, b.id FROM c a JOIN c b ON a.phone = b.phone AND a.id < b.id
  UNION SELECT a.id, b.id FROM c a JOIN c b ON a.name_key = b.name_key AND a.id < b.id
  UNION SELECT a.id, b.id FROM c a JOIN c b ON a.company = b.company AND a.id < b.id
    AND (a.first_word = b.first_word OR a.last_word = b.last_word) AND similarity(a.name, b.name) >= 0.5),
scored AS (
  SELECT p.a, p.b, similarity(x.name, y.name) AS similarity,
         x.email_key = y.email_key AS email, x.phone = y.phone AS phone, x.company = y.company AS company
    FROM candidates p JOIN c x ON x.id = p.a JOIN c y ON y.id = p.b)
SELECT a::text, b::text, similarity::float8 AS similarity,
       (1 - (1 - CASE WHEN email THEN 0.9 ELSE 0 END) * (1 - CASE WHEN phone THEN 0.8 ELSE 0 END)
          * (1 - 0.6 * similarity) * (1 - CASE WHEN company THEN 0.2 ELSE 0 END))::float8 AS score,
       array_remove(ARRAY[CASE WHEN email THEN 'EMAIL' END, CASE WHEN phone THEN 'PHONE' END,
         CASE WHEN similarity >= 0.5 THEN 'NAME' END, CASE WHEN company THEN 'COMPANY' END], NULL) AS reasons
  FROM scored ORDER BY score DESC, a, b LIMIT $2`;

/** Companies: the same domain (scheme and `www.` removed), the same name without its legal form, or similar names. */
const companyName = (column: string) =>
  `btrim(regexp_replace(${nameKey(column)}, '[.,]|\\m(inc|ltd|llc|gmbh|sa|sas|plc|ag|bv|co|corp|limited)\\M', '', 'g'))`;
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
