import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * The phone number in E.164 (`+442071838750`), the key duplicates are matched on. A number written without its
 * country code cannot be placed: it is kept as `+` and its digits only when it already reads as international
 * (`00…`), otherwise null (it is then not matched on phone).
 */
export function phoneE164(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const international = phone.trim().replace(/^00/, '+');
  const parsed = parsePhoneNumberFromString(international);
  if (parsed?.isPossible()) return parsed.number;
  return international.startsWith('+') ? `+${international.replace(/\D/g, '')}` : null;
}

/** The SQL expression of a normalised email, the key duplicates are matched on: lower case, `+tag` removed. */
export const emailKeySql = (column: string) =>
  `lower(CASE WHEN strpos(${column}, '+') > 0 THEN split_part(${column}, '+', 1) || '@' || split_part(${column}, '@', 2) ELSE ${column} END)`;
