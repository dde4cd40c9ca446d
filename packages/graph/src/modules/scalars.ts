import { formatMoney, isCalendarDay } from '@crm/core';
import { Prisma } from '@crm/db';
import { GraphQLError, Kind, type ValueNode, valueFromASTUntyped } from 'graphql';
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

/**
 * A JSON literal's value. A variable inside one (`attributes: { note: $note }`) is refused: graphql-jit, which executes
 * our operations, parses literals once per compiled document, without the request's variables, and would drop the
 * variable's value silently. Send the whole value as a variable instead. (A `parseLiteral` taking the variables as a
 * second argument is what graphql-jit warns about on stderr: "Scalar with variable inputs detected".)
 */
function parseJsonLiteral(ast: ValueNode): unknown {
  const stack: ValueNode[] = [ast];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.kind === Kind.VARIABLE) throw invalid(`A JSON literal cannot hold a variable ($${node.name.value}): send the whole JSON value as a variable`);
    if (node.kind === Kind.LIST) stack.push(...node.values);
    if (node.kind === Kind.OBJECT) stack.push(...node.fields.map((field) => field.value));
  }
  return parseJsonValue(valueFromASTUntyped(ast));
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
    parseLiteral: (ast) => parseJsonLiteral(ast),
  });
}
