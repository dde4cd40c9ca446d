// An erased person's email is not kept in clear (docs/plugins/workflows.md, "Privacy"): an erasure's row keeps a salted
// hash of it (the row's own random salt), and the scrub (in SQL) and the check of delivered events (in memory) find
// every address in a text, hash each with the row's salt and compare. The same rule in both places, written once here:
// JSON escapes read as a space (JSON_ESCAPE: `\nann@…` is `ann@…` after a newline), what counts as an address
// (EMAIL_TOKEN), and how it is hashed (sha256 of the salt followed by the lower-case address, as found and with its
// leading quotes stripped: `'ann@…'` names ann@…, `o'brien@…` stays o'brien@…).
import { createHash, randomBytes } from 'node:crypto';
import { piece, type SqlPiece } from './sql-pieces.js';

/**
 * An email address as a whole, in both JavaScript's and PostgreSQL's regular expressions (case-insensitive): the
 * characters of an address are not allowed on either side, so `ann@example.com` is not found inside
 * `joann@example.com` or `ann@example.com.au` (a final dot, as at a sentence's end, is left out of it).
 */
export const EMAIL_TOKEN = wholeAddress("([a-z0-9._%+'-]+@[a-z0-9_.-]*[a-z0-9_-])");

/**
 * `address` (a regular expression) as a whole address only, by EMAIL_TOKEN's rule. The export's needle, the email
 * itself, may follow quotes (`'*`): EMAIL_TOKEN's token `'ann@…` is matched with them stripped.
 */
export function wholeAddress(address: string, quoted = false): string {
  return `(?<![a-z0-9._%+'-])${quoted ? "'*" : ''}${address}(?![a-z0-9_-]|\\.[a-z0-9_-])`;
}

/** A JSON escape (`\n`, `\"`, `\u00e9`…), read as a space before addresses are looked for, in both rules (flags gi). */
export const JSON_ESCAPE = '\\\\(u[0-9a-f]{4}|.)';

/** `text` (a piece) with its JSON escapes read as a space, in SQL. */
export const sqlUnescaped = (text: SqlPiece): SqlPiece => piece`regexp_replace(${text}, ${JSON_ESCAPE}, ' ', 'gi')`;

/** Leading quotes of a token, stripped for its second form. */
const LEADING_QUOTES = /^'+/;

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
  const unescaped = text.replace(new RegExp(JSON_ESCAPE, 'gi'), ' ');
  for (const [, token] of unescaped.matchAll(new RegExp(EMAIL_TOKEN, 'gi'))) {
    const address = token!.toLowerCase();
    if (hashed(kept.emailSalt, address) === kept.emailHash || hashed(kept.emailSalt, address.replace(LEADING_QUOTES, '')) === kept.emailHash) return true;
  }
  return false;
}

/**
 * The same test in SQL, on the text `text` (a piece) against the row's `salt` and `hash` (pieces: columns, or bound
 * values): false when they are null.
 */
export const sqlNamesEmail = (text: SqlPiece, salt: SqlPiece, hash: SqlPiece): SqlPiece =>
  piece`(${hash} IS NOT NULL AND EXISTS (SELECT 1 FROM regexp_matches(${sqlUnescaped(text)}, ${EMAIL_TOKEN}, 'gi') m
      WHERE encode(sha256(convert_to(${salt} || lower(m[1]), 'UTF8')), 'hex') = ${hash}
         OR encode(sha256(convert_to(${salt} || ltrim(lower(m[1]), ''''), 'UTF8')), 'hex') = ${hash}))`;
