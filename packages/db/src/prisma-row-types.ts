import pg from 'pg';
import { Prisma } from './generated/prisma/client.js';

// What Prisma's raw queries answer that node-postgres parses otherwise (its defaults: int8 and numeric as text, a
// `date` or `timestamp` in the process's time zone). Everything else (timestamptz, json, uuid, arrays of text) agrees.
const parsers: Record<number, (text: string) => unknown> = {
  20: (text) => BigInt(text), // int8
  1700: (text) => new Prisma.Decimal(text), // numeric
  1082: (text) => new Date(`${text}T00:00:00Z`), // date
  1114: (text) => new Date(`${text.replace(' ', 'T')}Z`), // timestamp (without time zone): UTC, as Prisma reads it
};

/** node-postgres' result types for statements sent past Prisma's client: rows in Prisma's raw-query types. */
export const prismaRowTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (format ?? 'text') === 'text' && parsers[oid] ? parsers[oid] : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A parameter as Prisma would send it: money as its decimal text (node-postgres would send a Decimal as JSON), an
 * instant in UTC (node-postgres writes it in the process's time zone: a `::date` cast would depend on it).
 */
export function asParameter(value: unknown): unknown {
  if (value instanceof Prisma.Decimal) return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}
