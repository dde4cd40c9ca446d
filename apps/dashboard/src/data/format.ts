// Display formats: money from Decimal strings, dates, and an error's message for people.
import type { CombinedError } from '@crm/client';

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const moneyExact = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const date = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export const formatMoney = (value: string | number | null | undefined, exact = false) =>
  value == null ? '—' : (exact ? moneyExact : money).format(Number(value));
export const formatDate = (iso: string | null | undefined) => (iso ? date.format(new Date(iso)) : '—');
export const formatTime = (iso: string) => time.format(new Date(iso));
export const titleCase = (value: string) => value.charAt(0) + value.slice(1).toLowerCase().replaceAll('_', ' ');

/** What to tell the person: the server's message for a known code, what to do for a network failure. */
export function describeError(error: CombinedError | undefined): string | null {
  if (!error) return null;
  if (error.networkError) return 'The gateway cannot be reached. Check that it is running, then try again.';
  const first = error.graphQLErrors[0];
  const code = first?.extensions.code;
  if (code === 'UNAUTHENTICATED') return 'This API key is not valid any more. Sign out and sign in with a current key.';
  if (code === 'FORBIDDEN') return 'Your key’s role does not allow this. Ask an admin for a MEMBER or ADMIN key.';
  return first?.message ?? error.message;
}

/** An amount typed in a filter ("1,000", "$99.50") as the API's Decimal ("1000", "99.50"); null when empty or not one. */
export function amountOrNull(text: string): string | null {
  const value = text.trim().replace(/[$,\s]/g, '');
  return /^\d+(\.\d{1,2})?$/.test(value) ? value : null;
}
