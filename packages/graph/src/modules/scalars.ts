import { formatMoney } from '@crm/core';
import { Prisma } from '@crm/db';
import { GraphQLError, Kind } from 'graphql';
import type { Builder } from '../builder.js';

const invalid = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

function parseDate(value: unknown): Date {
  if (typeof value !== 'string') throw invalid('DateTime must be an ISO-8601 string, e.g. "2026-11-23T10:00:00Z"');
  // Date-only strings are accepted as midnight UTC; anything else must be a full ISO-8601 timestamp.
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
  const date = new Date(value);
  if (!iso.test(value) || Number.isNaN(date.getTime())) throw invalid(`"${value}" is not an ISO-8601 date-time`);
  return date;
}

function parseMoney(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw invalid('Decimal must be a decimal string, e.g. "1234.50"');
}

export function registerScalars(builder: Builder) {
  builder.scalarType('DateTime', {
    description: 'An ISO-8601 date-time, always UTC on output (e.g. "2026-11-23T10:00:00.000Z").',
    serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()),
    parseValue: parseDate,
    parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
  });
  builder.scalarType('Decimal', {
    description: 'Money as a decimal string with two decimals (e.g. "1234.50"); never a float.',
    serialize: (value) => formatMoney(value instanceof Prisma.Decimal ? value : String(value))!,
    parseValue: parseMoney,
    parseLiteral: (ast) => parseMoney(ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT ? ast.value : undefined),
  });
  builder.scalarType('JSON', {
    description: 'Any JSON value.',
    serialize: (value) => value,
    parseValue: (value) => value,
  });
}
