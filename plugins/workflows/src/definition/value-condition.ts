// A condition on one typed value, for `condition` and `switch` steps of any trigger: `{ value: '{{…}}', operator,
// operand }` — a webhook's body (`{{trigger.event.payload.plan}}`), an event's payload, an HTTP step's answer
// (`{{steps.h.output.status}}`), a field of the record. The other form of `if`/`when` is a filter of the trigger's
// record (the list filter language). Its shape and its operator's fit to the value's type are checked at publish
// (the path's type from template-checks.ts); steps/value-condition.ts evaluates it.
import { z } from '@crm/plugin-sdk';
import { isRecordId } from '../runs/wait-for-event.js';
import { ISO_DATE_TIME, type ValueType } from './value-types.js';

export const CONDITION_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export const valueCondition = z.strictObject({
  /** Exactly one template: the value tested. */
  value: z.string(),
  operator: z.enum(CONDITION_OPERATORS),
  /** What it is compared with (a literal); `in`: a list of them; `exists`: none. */
  operand: z.json().optional(),
});
export type ValueCondition = z.output<typeof valueCondition>;

/** Whether an `if`/`when` is a value condition (a record filter never has a text `operator`). */
export const isValueCondition = (test: unknown): test is ValueCondition =>
  typeof test === 'object' && test !== null && typeof (test as { operator?: unknown }).operator === 'string';

const ORDERED = new Set(['number', 'date', 'unknown']);

/** Whether a literal operand is a value of `type`. */
function operandFits(type: ValueType, operand: unknown): boolean {
  switch (type.kind) {
    case 'number':
      return typeof operand === 'number';
    case 'date':
      return typeof operand === 'string' && ISO_DATE_TIME.test(operand);
    case 'boolean':
      return typeof operand === 'boolean';
    case 'text':
      return typeof operand === 'string';
    case 'id':
      // Records hold row ids: an API's global id (base64) would never be equal to one.
      return typeof operand === 'string' && isRecordId(operand);
    default:
      return operand === null || ['string', 'number', 'boolean'].includes(typeof operand);
  }
}

const NEEDS: Record<string, string> = { number: 'a number', date: 'an ISO date', boolean: 'true or false', text: 'text', id: 'a row id (a uuid, not a global id)' };

/** Run time orders numbers and ISO dates only (steps/value-condition.ts): any other operand never holds. */
const orderable = (operand: unknown) => typeof operand === 'number' || (typeof operand === 'string' && ISO_DATE_TIME.test(operand));

/**
 * Why `operator` (with `operand`) does not fit a value of `type`, naming the key at fault (`operator`, `operand`), or
 * null: `gt`…`lte` order numbers and dates; `contains` looks in text or a list; `in` takes a list of operands; `exists`
 * none; each operand a value of the type.
 */
export function conditionProblem(type: ValueType, { operator, operand }: ValueCondition, describe: string): { key: 'operator' | 'operand'; message: string } | null {
  const of = (message: string) => ({ key: 'operand' as const, message });
  if (operator === 'exists') return operand === undefined ? null : of('`exists` takes no operand');
  if (operand === undefined) return of(`\`${operator}\` needs an operand`);
  if (typeof operand === 'string' && /\{\{/.test(operand)) return of('an operand is a literal value, not a template');
  const each = (value: unknown) => operandFits(type, value);
  switch (operator) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (!ORDERED.has(type.kind)) return { key: 'operator', message: `${describe} cannot be ordered: \`${operator}\` compares numbers and dates` };
      if (type.kind === 'unknown') return orderable(operand) ? null : of(`${describe}: \`${operator}\` needs a number or an ISO date`);
      return each(operand) ? null : of(`${describe}: \`${operator}\` needs ${NEEDS[type.kind] ?? 'a number or a date'}`);
    case 'contains':
      if (type.kind === 'text') return typeof operand === 'string' ? null : of('`contains` in text takes text');
      if (type.kind === 'list' || type.kind === 'unknown') return ['string', 'number', 'boolean'].includes(typeof operand) ? null : of('`contains` takes one value');
      return { key: 'operator', message: `${describe}: \`contains\` looks in text or a list` };
    case 'in':
      if (type.kind === 'list') return { key: 'operator', message: `${describe}: \`in\` tests one value (use \`contains\` on a list)` };
      if (!Array.isArray(operand) || !operand.length) return of('`in` takes a non-empty list');
      return operand.every(each) ? null : of(`${describe}: each of \`in\` is ${NEEDS[type.kind] ?? 'a single value'}`);
    default:
      if (type.kind === 'list') return { key: 'operator', message: `${describe}: \`${operator}\` tests one value (use \`contains\` on a list)` };
      return each(operand) ? null : of(`${describe}: \`${operator}\` needs ${NEEDS[type.kind] ?? 'a single value'}`);
  }
}
