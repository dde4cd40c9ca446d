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

// The normalised email (lower case, `+tag` removed) is the SQL function crm_email_key (migration customer_duplicates).
