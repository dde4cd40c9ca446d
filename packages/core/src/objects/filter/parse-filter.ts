import { badInput, CrmError } from '../../errors.js';
import type { ObjectCatalog } from '../catalog.js';
import type { ResolvedField, ResolvedObject } from '../declaration.js';
import { and, type CompareOp, type FilterNode, type FilterScalar } from './filter-node.js';
import { booleanOps, filterLimits, listOps, operatorsByKind, relativeDateOps } from './operators.js';

/** What parsing needs besides the filter: the declarations, how ids arrive, enum values, the time "now" is. */
export interface FilterContext {
  catalog: ObjectCatalog;
  /** Turns an id as the client sends it (a global id) into the row id, or null when it is not an id of `typename`. */
  decodeId(value: string, typename: string): string | null;
  /** The values of an enum, for filters that did not come through GraphQL (stored segments). */
  enumValues(name: string): readonly string[] | undefined;
  /** Whether the caller may read a field; filtering on one it may not is FORBIDDEN. @default every field */
  canRead?(field: ResolvedField): boolean;
  /**
   * The rows of `object` the caller sees, as a filter (null: all): a to-many relation filter only looks at those, so
   * it cannot tell whether rows the caller does not see exist. @default every row
   */
  rowRule?(object: ResolvedObject): FilterNode | null;
  now?: Date;
}

const decimalPattern = /^-?\d{1,12}(\.\d{1,2})?$/;
const logical = new Set(['and', 'or', 'not']);
const quantifiers = ['some', 'every', 'none'] as const;

interface State {
  context: FilterContext;
  conditions: number;
  now: Date;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

function fail(path: string, message: string): never {
  throw badInput(`${path}: ${message}`, path);
}

/**
 * Validates a filter of `object` (as GraphQL hands it over, or as a segment stored it) into a {@link FilterNode}.
 * Every error is BAD_USER_INPUT with `field` naming the path (`filter.or.1.company.industry.eq`). Absent and null
 * entries are ignored, so `{}` and null match everything.
 */
export function parseFilter(object: ResolvedObject, raw: unknown, context: FilterContext, path = 'filter'): FilterNode {
  const state: State = { context, conditions: 0, now: context.now ?? new Date() };
  if (raw === null || raw === undefined) return and();
  return parseObject(object, raw, state, path, 1);
}

function parseObject(object: ResolvedObject, raw: unknown, state: State, path: string, depth: number): FilterNode {
  if (!isObject(raw)) fail(path, `a filter of ${object.name} is an object`);
  if (depth > filterLimits.depth) fail(path, `filters nest at most ${filterLimits.depth} levels`);
  const items: FilterNode[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    const at = `${path}.${key}`;
    if (logical.has(key)) items.push(parseLogical(object, key as 'and' | 'or' | 'not', value, state, at, depth));
    else if (key === 'inSegment' && object.segmentable) items.push(parseSegment(value, state, at));
    else if (object.fields.has(key)) items.push(parseField(object.fields.get(key)!, value, state, at));
    else if (object.relations.has(key)) items.push(parseRelation(object, key, value, state, at, depth));
    else fail(at, `${object.name} has no filterable field ${key}`);
  }
  return and(...items);
}

function parseLogical(object: ResolvedObject, key: 'and' | 'or' | 'not', value: unknown, state: State, path: string, depth: number): FilterNode {
  if (key === 'not') return { kind: 'not', item: parseObject(object, value, state, path, depth + 1) };
  if (!Array.isArray(value)) fail(path, `${key} takes a list of filters`);
  const items = value.map((item, i) => parseObject(object, item, state, `${path}.${i}`, depth + 1));
  return key === 'and' ? and(...items) : { kind: 'or', items };
}

function parseSegment(value: unknown, state: State, path: string): FilterNode {
  count(state, path);
  const id = typeof value === 'string' ? state.context.decodeId(value, 'Segment') : null;
  if (!id) fail(path, 'not a valid Segment id');
  return { kind: 'segment', segmentId: id };
}

function parseRelation(object: ResolvedObject, key: string, value: unknown, state: State, path: string, depth: number): FilterNode {
  const relation = object.relations.get(key)!;
  const target = state.context.catalog.target(relation);
  if (relation.kind === 'toOne') return { kind: 'toOne', relation, target, item: parseObject(target, value, state, path, depth + 1) };
  if (!isObject(value)) fail(path, 'a to-many relation filter is { some | every | none: filter }');
  const items: FilterNode[] = [];
  for (const [quantifier, inner] of Object.entries(value)) {
    if (inner === null || inner === undefined) continue;
    if (!quantifiers.includes(quantifier as (typeof quantifiers)[number])) fail(`${path}.${quantifier}`, 'use some, every or none');
    const parsed = parseObject(target, inner, state, `${path}.${quantifier}`, depth + 1);
    const rule = state.context.rowRule?.(target) ?? null;
    // `every` holds when each related row the caller sees matches; `some`/`none` look only at those rows.
    const item = !rule ? parsed : quantifier === 'every' ? { kind: 'or' as const, items: [{ kind: 'not' as const, item: rule }, parsed] } : and(rule, parsed);
    items.push({ kind: 'toMany', relation, target, quantifier: quantifier as (typeof quantifiers)[number], item });
  }
  return and(...items);
}

function count(state: State, path: string) {
  if (++state.conditions > filterLimits.conditions) fail(path, `a filter has at most ${filterLimits.conditions} conditions`);
}

function parseField(field: ResolvedField, value: unknown, state: State, path: string): FilterNode {
  if (!field.filter) fail(path, `${field.name} cannot be filtered`);
  if (state.context.canRead && !state.context.canRead(field)) throw new CrmError('BAD_USER_INPUT', `${path}: ${field.name} is hidden from your API key's role`, path);
  if (!isObject(value)) fail(path, `a field filter is an object of operators, e.g. { eq: … }`);
  const allowed = operatorsByKind[field.kind];
  const items: FilterNode[] = [];
  for (const [op, operand] of Object.entries(value)) {
    if (operand === null || operand === undefined) continue;
    const at = `${path}.${op}`;
    count(state, at);
    if (field.kind === 'datetime' && (relativeDateOps as readonly string[]).includes(op)) {
      items.push(relativeDate(field, op as (typeof relativeDateOps)[number], operand, state, at));
      continue;
    }
    if (!allowed.includes(op as CompareOp)) fail(at, `${field.name} takes ${[...allowed, ...(field.kind === 'datetime' ? relativeDateOps : [])].join(', ')}`);
    if (booleanOps.has(op)) {
      if (typeof operand !== 'boolean') fail(at, 'true or false');
      items.push({ kind: 'compare', field, op: op as CompareOp, value: operand });
    } else if (listOps.has(op)) {
      if (!Array.isArray(operand)) fail(at, 'a list of values');
      if (operand.length > filterLimits.listValues) fail(at, `at most ${filterLimits.listValues} values`);
      items.push({ kind: 'compare', field, op: op as CompareOp, value: operand.map((v, i) => scalar(field, v, state, `${at}.${i}`)) });
    } else {
      items.push({ kind: 'compare', field, op: op as CompareOp, value: scalar(field, operand, state, at) });
    }
  }
  return and(...items);
}

function relativeDate(field: ResolvedField, op: (typeof relativeDateOps)[number], operand: unknown, state: State, path: string): FilterNode {
  if (typeof operand !== 'number' || !Number.isInteger(operand) || operand < 0 || operand > filterLimits.relativeDays) {
    fail(path, `a whole number of days from 0 to ${filterLimits.relativeDays}`);
  }
  const shifted = new Date(state.now.getTime() + (op === 'lastNDays' ? -1 : 1) * operand * 86_400_000);
  const [from, to] = op === 'lastNDays' ? [shifted, state.now] : [state.now, shifted];
  return and({ kind: 'compare', field, op: 'gte', value: from }, { kind: 'compare', field, op: 'lte', value: to });
}

/** `YYYY-MM-DD` naming a day that exists. */
export function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string');
  if (value.length > filterLimits.textLength) fail(path, `at most ${filterLimits.textLength} characters`);
  if (value.includes('\u0000')) fail(path, 'contains a NUL character');
  return value;
}

/** One operand, checked and normalised for the field's kind. */
function scalar(field: ResolvedField, value: unknown, state: State, path: string): FilterScalar {
  switch (field.kind) {
    case 'id':
    case 'reference': {
      const typename = field.kind === 'id' ? field.owner : field.references!;
      const id = state.context.decodeId(text(value, path), typename);
      if (!id) fail(path, `not a valid ${typename} id`);
      return id;
    }
    case 'string':
    case 'stringList':
      return text(value, path);
    case 'enum': {
      const v = text(value, path);
      const values = state.context.enumValues(field.enum!);
      if (values && !values.includes(v)) fail(path, `one of ${values.join(', ')}`);
      return v;
    }
    case 'int':
    case 'bigint':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(path, 'a whole number');
      return value;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a number');
      return value;
    case 'decimal': {
      const v = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
      if (typeof v !== 'string' || !decimalPattern.test(v)) fail(path, 'a decimal with at most 2 decimals, e.g. "100.50"');
      return v;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(path, 'true or false');
      return value;
    case 'datetime': {
      const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
      if (!date || Number.isNaN(date.getTime()) || (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(value))) {
        fail(path, 'an ISO-8601 date-time');
      }
      const year = date.getUTCFullYear();
      if (year < 1 || year > 9999) fail(path, 'a date between years 1 and 9999');
      return date;
    }
    case 'date': {
      const v = text(value, path);
      if (!isCalendarDay(v)) fail(path, 'a date, YYYY-MM-DD');
      return v;
    }
    case 'json':
      return fail(path, `${field.name} cannot be filtered`);
  }
}
