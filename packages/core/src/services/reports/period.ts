import { badInput } from '../../errors.js';

/** A range of calendar months in UTC: `from` and `to` are first days of months, both included. */
export interface MonthRange {
  from: Date;
  to: Date;
  /** Months in the range (1–MAX_REPORT_MONTHS). */
  months: number;
}

export const MAX_REPORT_MONTHS = 60;
export const DEFAULT_REPORT_MONTHS = 12;

const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));

/**
 * The months a time-series report covers: any instants, truncated to their months. Defaults: the 12 months ending
 * with the current one. BAD_USER_INPUT on an empty, reversed or too long range.
 */
export function monthRange(from?: Date | null, to?: Date | null, now: Date = new Date()): MonthRange {
  const end = monthStart(to ?? now);
  const start = from ? monthStart(from) : new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - (DEFAULT_REPORT_MONTHS - 1), 1));
  if (Number.isNaN(start.getTime())) throw badInput('from: not a date', 'from');
  if (Number.isNaN(end.getTime())) throw badInput('to: not a date', 'to');
  const months = (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth() + 1;
  if (months < 1) throw badInput('to: must not be before from', 'to');
  if (months > MAX_REPORT_MONTHS) throw badInput(`from: at most ${MAX_REPORT_MONTHS} months per report`, 'from');
  return { from: start, to: end, months };
}

/** `YYYY-MM` of a month's first day (how reports name months). */
export const monthKey = (d: Date) => d.toISOString().slice(0, 7);

/** A number from SQL (numeric arrives as a string through some adapters). */
export const num = (v: number | string | null | undefined): number => (v === null || v === undefined ? 0 : Number(v));

/** A rate rounded to 4 decimals; null when the base is 0. */
export const rate = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);
