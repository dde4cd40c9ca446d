// An erased person's email is not kept in clear (docs/plugins/workflows.md, "Privacy"): an erasure's row keeps a salted
// hash of it (the row's own random salt), and the scrub (in SQL) and the check of delivered events (in memory) find
// every address in a text, hash each with the row's salt and compare. The same rule in both places, written once here:
// what counts as an address (EMAIL_TOKEN) and how it is hashed (sha256 of the salt followed by the lower-case address).
import { createHash, randomBytes } from 'node:crypto';
import { piece, type SqlPiece } from './sql-pieces.js';

/**
 * An email address as a whole, in both JavaScript's and PostgreSQL's regular expressions (case-insensitive): the
 * characters of an address are not allowed on either side, so `ann@example.com` is not found inside
 * `joann@example.com` or `ann@example.com.au` (a final dot, as at a sentence's end, is left out of it).
 */
export const EMAIL_TOKEN = wholeAddress("([a-z0-9._%+'-]+@[a-z0-9_.-]*[a-z0-9_-])");

/** `address` (a regular expression) as a whole address only, by EMAIL_TOKEN's rule. */
export function wholeAddress(address: string): string {
  return `(?<![a-z0-9._%+'-])${address}(?![a-z0-9_-]|\\.[a-z0-9_-])`;
}

export interface ErasedEmail {
  emailSalt: string;
  emailHash: string;
}

/** What an erasure's row keeps of the email: both null when the person had none. */
export interface KeptEmail {
  emailSalt: string | null;
  emailHash: string | null;
}

/** An email as kept: trimmed, lower case (null: none). */
export const normalEmail = (email: string | null | undefined) => email?.trim().toLowerCase() || null;

const hashed = (salt: string, email: string) => createHash('sha256').update(salt + email, 'utf8').digest('hex');

/** What an erasure's row keeps of an email: a fresh salt and the hash (both null without an email). */
export function hashEmail(email: string | null): KeptEmail {
  const normal = normalEmail(email);
  if (!normal) return { emailSalt: null, emailHash: null };
  const emailSalt = randomBytes(16).toString('hex');
  return { emailSalt, emailHash: hashed(emailSalt, normal) };
}

/** Whether `text` names the hashed email (an address in it hashes to it). */
export function namesEmail(kept: ErasedEmail, text: string): boolean {
  for (const [, address] of text.matchAll(new RegExp(EMAIL_TOKEN, 'gi'))) if (hashed(kept.emailSalt, address!.toLowerCase()) === kept.emailHash) return true;
  return false;
}

/**
 * The same test in SQL, on the text `text` (a piece) against the row's `salt` and `hash` (pieces: columns, or bound
 * values): false when they are null.
 */
export const sqlNamesEmail = (text: SqlPiece, salt: SqlPiece, hash: SqlPiece): SqlPiece =>
  piece`(${hash} IS NOT NULL AND EXISTS (SELECT 1 FROM regexp_matches(${text}, ${EMAIL_TOKEN}, 'gi') m
      WHERE encode(sha256(convert_to(${salt} || lower(m[1]), 'UTF8')), 'hex') = ${hash}))`;
