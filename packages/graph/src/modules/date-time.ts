import { GraphQLError } from 'graphql';

const invalid = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

/** `2026-11-23`, or a full timestamp with optional seconds, fraction and offset (none means UTC). */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/;

/** Years 1 to 9999 in UTC: what ISO-8601 without a sign, PostgreSQL's input and every client can hold. */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number) => (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!);

/**
 * Parses an ISO-8601 date-time strictly: each part must exist on the calendar (`2025-02-30` and `T24:00` are refused,
 * where `Date` would roll them over into the next month or day) and the instant must fall in the years 1 to 9999.
 */
export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string') throw invalid('DateTime must be an ISO-8601 string, e.g. "2026-11-23T10:00:00Z"');
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  const parts = ISO.exec(value);
  if (!parts) throw invalid(`"${shown}" is not an ISO-8601 date-time`);
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [1, 2, 3, 4, 5, 6, 8, 9].map((i) => Number(parts[i] ?? 0)) as [
    number, number, number, number, number, number, number, number,
  ];
  const exists =
    month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
  if (!exists) throw invalid(`"${shown}" is not a date that exists`);
  const hasTime = parts[4] !== undefined;
  const hasOffset = parts[7] !== undefined;
  const time = Date.parse(hasTime ? (hasOffset ? value : `${value}Z`) : `${value}T00:00:00Z`);
  if (Number.isNaN(time) || time < EARLIEST || time > LATEST) throw invalid(`"${shown}" is out of range (years 1 to 9999, UTC)`);
  return new Date(time);
}
