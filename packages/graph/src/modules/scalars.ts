import { formatMoney, isCalendarDay } from '@crm/core';
import { Prisma } from '@crm/db';
import { GraphQLError, Kind } from 'graphql';
import type { Builder } from '../builder.js';
import { parseDateTime } from './date-time.js';
import { parseJsonValue } from './json-value.js';

const invalid = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

function parseMoney(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw invalid('Decimal must be a decimal string, e.g. "1234.50"');
}

function parseDay(value: unknown): string {
  if (typeof value !== 'string' || !isCalendarDay(value)) throw invalid('Date must be a day that exists, "YYYY-MM-DD"');
  return value;
}

export function registerScalars(builder: Builder) {
  builder.scalarType('DateTime', {
    description: 'An ISO-8601 date-time, always UTC on output (e.g. "2026-11-23T10:00:00.000Z").',
    serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()),
    parseValue: parseDateTime,
    parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
  });
  builder.scalarType('Date', {
    description: 'A calendar day, ISO-8601 "YYYY-MM-DD" (custom date fields).',
    serialize: (value) => String(value),
    parseValue: parseDay,
    parseLiteral: (ast) => parseDay(ast.kind === Kind.STRING ? ast.value : undefined),
  });
  builder.scalarType('Decimal', {
    description: 'Money as a decimal string with two decimals (e.g. "1234.50"); never a float.',
    serialize: (value) => formatMoney(value instanceof Prisma.Decimal ? value : String(value))!,
    parseValue: parseMoney,
    parseLiteral: (ast) => parseMoney(ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT ? ast.value : undefined),
  });
  builder.scalarType('JSON', {
    description: 'Any JSON value (as input: at most 32 levels deep and 10,000 values).',
    serialize: (value) => value,
    parseValue: parseJsonValue,
  });
}
