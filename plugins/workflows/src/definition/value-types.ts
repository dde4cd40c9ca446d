// The types of values in steps, for the publish check of typed paths: what a template path holds (a record's field by
// its declared kind, an event's part, a step's output) and what a step's input needs where it is used, by the rule its
// builder writes it with (steps/command-inputs.ts: `wait.until` a date, a `title` text, so not a list), `forEach.items`
// a list, `createTask.customerId` a Customer's id, `updateRecord.values.amount` the field's kind. A value of unknown
// type (an event's payload, an untyped action's output, a loop's item) passes. A value that may be null (an action's
// output declared nullable) is refused where a value is needed (`required`); a record's field is not checked for
// null: the trigger often guarantees it (a date trigger's field, a filter), which publishing cannot see.
import { inputBuilders, isBuilt } from '../steps/command-inputs.js';
import { address, date as dateRule, id, optionalDate, optionalId, optionalText, recordId, segmentId, text } from '../steps/input-values.js';
import type { Step } from './document.js';

/**
 * An ISO 8601 date (midnight UTC), or a date and time of day with its zone (`Z` or an offset; up to 9 fraction digits,
 * as databases write microseconds): what reads as the same instant everywhere. A time without a zone would be read
 * in the server's zone, so it is not one.
 */
export const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

export type ValueKind = 'text' | 'number' | 'date' | 'boolean' | 'list' | 'id' | 'unknown';

export interface ValueType {
  kind: ValueKind;
  /** `id`: the object whose record it names, when known. */
  object?: string;
  /**
   * `id`: of no object a caller can know (an action's output that declares none, and whose name names none): not
   * taken where an id of a given object is needed, as an id of another object is not.
   */
  noObject?: true;
  /** The value may be null (an action's output declared `.nullable()` or `.optional()`). */
  nullable?: true;
  /** Where it is needed: null is refused (a rule that needs a value: a `title`, `wait.until`, an action's key that takes no null). */
  required?: true;
  /**
   * `date`: a calendar day (`YYYY-MM-DD`, a `date` field), not an instant: only a day can have a time of day written
   * after it (`{{…renewsOn}}T09:00:00Z`, template-checks.ts). Both fit where a date is needed.
   */
  day?: true;
}

/** A declared field's kind (core's `FieldKind`) as a value type; `owner` is the object the field belongs to. */
export function fieldValueType(field: { kind: string; references?: string | undefined }, owner: string): ValueType {
  switch (field.kind) {
    case 'id':
      return { kind: 'id', object: owner };
    case 'reference':
      return field.references ? { kind: 'id', object: field.references } : { kind: 'id' };
    case 'int':
    case 'bigint':
    case 'float':
    case 'decimal':
      return { kind: 'number' };
    case 'date':
      return { kind: 'date', day: true };
    case 'datetime':
      return { kind: 'date' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'stringList':
      return { kind: 'list' };
    case 'json':
      return { kind: 'unknown' };
    default:
      return { kind: 'text' };
  }
}

const NAMES: Record<ValueKind, string> = { text: 'text', number: 'a number', date: 'a date', boolean: 'true or false', list: 'a list', id: 'an id', unknown: 'any value' };

export const describeType = (type: ValueType) =>
  `${type.kind === 'id' && type.object ? `a ${type.object} id` : type.noObject ? 'an id of no declared object' : NAMES[type.kind]}${type.nullable ? ' or null' : ''}`;

/** Whether a value of type `have` fits where `need` is required. */
export function fits(need: ValueType, have: ValueType): boolean {
  if (need.required && have.nullable) return false;
  if (need.kind === 'unknown' || have.kind === 'unknown') return true;
  // Text takes any single value (a number or a date is written as text); not a list.
  if (need.kind === 'text') return have.kind !== 'list';
  if (need.kind !== have.kind) return false;
  if (need.kind !== 'id' || !need.object) return true;
  return have.noObject ? false : !have.object || need.object === have.object;
}

const date: ValueType = { kind: 'date' };
/** An id of `object`'s records (of any object when not given). */
export const idOf = (object?: string): ValueType => ({ kind: 'id', ...(object ? { object } : {}) });

/** A key of an action's input or output as the SDK describes it (`ActionInputField`). */
export interface ActionKey {
  kind: ValueKind;
  object: string | null;
  nullable: boolean;
}

/**
 * The type of a key of an action's input (what it needs) or output (what it holds), by the SDK's `ActionInfo.input`/
 * `.output`: its declared kind; an id of the object it declares (`.meta({ object: 'LoyaltyAccount' })`), else of the
 * object its name says when the workspace has one (`customerId`: a Customer's). An output's id naming neither is an id
 * of no known object (`noObject`). An output that may be null is `nullable`; an input key that takes no null `required`.
 */
export function actionKeyType(key: string, field: ActionKey, objects: Iterable<{ name: string }>, side: 'input' | 'output'): ValueType {
  const nullability: Pick<ValueType, 'nullable' | 'required'> = side === 'output' ? (field.nullable ? { nullable: true } : {}) : field.nullable ? {} : { required: true };
  const idLike = field.kind === 'id' || field.kind === 'text' || field.kind === 'unknown';
  if (field.object && idLike) return { ...idOf(field.object), ...nullability };
  const named = /^([a-z]\w*)Id$/.exec(key)?.[1];
  const target = named ? [...objects].find((o) => o.name === named.charAt(0).toUpperCase() + named.slice(1)) : undefined;
  if (target && idLike) return { ...idOf(target.name), ...nullability };
  if (field.kind === 'id' && side === 'output') return { kind: 'id', noObject: true, ...nullability };
  return { kind: field.kind, ...nullability };
}

/** What a builder's rule (steps/input-values.ts) takes, as a type: text where a value is written as text, a date, an id (a segment's). */
const RULE_TYPES = new Map<unknown, ValueType>([
  [text, { kind: 'text', required: true }],
  [optionalText, { kind: 'text' }],
  [address, { kind: 'text', required: true }],
  [dateRule, { ...date, required: true }],
  [optionalDate, date],
  [id, { ...idOf(), required: true }],
  [optionalId, idOf()],
  [recordId, { ...idOf(), required: true }],
  [segmentId, { ...idOf('Segment'), required: true }],
]);

/**
 * What each typed key of a step needs (keys as `templatePaths` names them): by its builder's rules (a `title` is
 * text, so not a list; a `dueAt` a date), and the object a step's ids name. Record values (`updateRecord`,
 * `createRecord`) are typed by their target object's fields, known only with the object model: see validate.ts.
 */
export function stepNeeds(step: Step): Record<string, ValueType> {
  const needs: Record<string, ValueType> = {};
  /** An id key's need (required or not, by its rule) of `object`'s records. */
  const of = (key: string, object: string): ValueType => ({ ...needs[key], ...idOf(object) });
  if (isBuilt(step.kind)) {
    for (const [key, { as, publish }] of Object.entries(inputBuilders[step.kind].parts)) {
      const type = RULE_TYPES.get(publish ?? as);
      if (type) needs[key] = type;
    }
  }
  switch (step.kind) {
    case 'forEach':
      return { items: { kind: 'list' } };
    case 'createTask':
      return { ...needs, assigneeId: of('assigneeId', 'User'), customerId: of('customerId', 'Customer'), dealId: of('dealId', 'Deal') };
    case 'createDeal':
      return { ...needs, amount: { kind: 'number' }, customerId: of('customerId', 'Customer'), pipelineId: of('pipelineId', 'Pipeline'), stageId: of('stageId', 'Stage'), ownerId: of('ownerId', 'User') };
    case 'logActivity':
    case 'addTag':
    case 'removeTag':
    case 'addToSegment':
    case 'removeFromSegment':
      return { ...needs, customerId: of('customerId', 'Customer') };
    default:
      return needs;
  }
}
