import type { FieldKind } from '../declaration.js';
import type { CompareOp } from './filter-node.js';

const equality: CompareOp[] = ['eq', 'neq', 'in', 'notIn', 'isNull'];
const ordered: CompareOp[] = [...equality, 'lt', 'lte', 'gt', 'gte'];

/** The operators each field kind takes (`lastNDays`/`nextNDays` on dates become `gte`/`lte` when parsed). */
export const operatorsByKind: Record<FieldKind, readonly CompareOp[]> = {
  id: equality,
  reference: equality,
  enum: equality,
  boolean: ['eq', 'neq', 'isNull'],
  string: [...ordered, 'contains', 'startsWith', 'endsWith'],
  int: ordered,
  bigint: ordered,
  float: ordered,
  decimal: ordered,
  datetime: ordered,
  date: ordered,
  stringList: ['has', 'hasAny', 'hasAll', 'isEmpty'],
  json: [],
};

/** Relative date operators of `datetime` fields: a whole number of days back from, or ahead of, now. */
export const relativeDateOps = ['lastNDays', 'nextNDays'] as const;

/** Operators whose value is a list. */
export const listOps = new Set<string>(['in', 'notIn', 'hasAny', 'hasAll']);

/** Operators whose value is a boolean whatever the field's kind. */
export const booleanOps = new Set<string>(['isNull', 'isEmpty']);

/** Limits that keep one filter's cost bounded (BAD_USER_INPUT past them). */
export const filterLimits = {
  /** Nesting of and/or/not and relations. */
  depth: 5,
  /** Comparisons in the whole filter. */
  conditions: 50,
  /** Values in one `in`/`notIn`/`hasAny`/`hasAll`. */
  listValues: 500,
  /** Characters of one text value. */
  textLength: 1000,
  /** Days of `lastNDays`/`nextNDays`. */
  relativeDays: 36600,
} as const;
