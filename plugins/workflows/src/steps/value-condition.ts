// A value condition evaluated (definition/value-condition.ts has its shape and publish checks): its template filled in
// from the run's scope, compared with its operand. Values compare as they are typed at publish: numbers as numbers
// (a number written as text, `"1200"` in a webhook's body, counts as one), dates as instants, the rest by equality.
// A value that is absent (a payload without the key) is null: only `exists`, `neq` and `eq null` are true for it.
import { type ValueCondition } from '../definition/value-condition.js';
import { resolveTemplates, type TemplateScope } from '../definition/templates.js';
import { ISO_DATE_TIME } from '../definition/value-types.js';
import type { RecordObjects } from '@crm/plugin-sdk';
import { receivedOutput, type WaitedEvent } from '../runs/wait-for-event.js';
import { payloadByName } from '../field-changes.js';

const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;

/** Numbers (or number text against a number), or instants (two ISO dates): a's order against b; null when neither. */
function order(a: unknown, b: unknown): number | null {
  const number = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && NUMBER_TEXT.test(v.trim()) ? Number(v) : null);
  if (typeof a === 'number' || typeof b === 'number') {
    const [x, y] = [number(a), number(b)];
    return x === null || y === null ? null : x - y;
  }
  if (typeof a === 'string' && typeof b === 'string' && ISO_DATE_TIME.test(a) && ISO_DATE_TIME.test(b)) {
    const [x, y] = [Date.parse(a), Date.parse(b)];
    return Number.isNaN(x) || Number.isNaN(y) ? null : x - y;
  }
  return null;
}

const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  const ordered = order(a, b);
  if (ordered !== null) return ordered === 0;
  return a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b);
};

/** Whether the condition holds for the run (its trigger, the outputs of the steps before). */
export function valueHolds(condition: ValueCondition, scope: TemplateScope): boolean {
  const value = resolveTemplates(condition.value, scope);
  const { operand } = condition;
  switch (condition.operator) {
    case 'exists':
      return value !== null && value !== undefined;
    case 'eq':
      return same(value, operand ?? null);
    case 'neq':
      return !same(value, operand ?? null);
    case 'in':
      return Array.isArray(operand) && operand.some((o) => same(value, o));
    case 'contains':
      if (typeof value === 'string') return typeof operand === 'string' && value.includes(operand);
      return Array.isArray(value) && value.some((v) => same(v, operand));
    default: {
      const ordered = order(value, operand);
      if (ordered === null) return false;
      return { gt: ordered > 0, gte: ordered >= 0, lt: ordered < 0, lte: ordered <= 0 }[condition.operator];
    }
  }
}

/**
 * Whether an event ends a `waitForEvent` with `where` (none: any event of its type on its subject does): the condition
 * over the event as the step's output holds it (`{{event.payload.changes.status.to}}`), a core object's custom fields'
 * changes also by name (`changes.tier`, read from `changes.customFields` by the one rule: field-changes.ts) — so
 * `objects` must know the workspace's custom fields when the event changes them. One rule for the three looks: the
 * batch's lookup (triggers/on-event.ts), and the step's look-backs (run-step.ts).
 */
export function eventHolds(where: ValueCondition | null | undefined, event: WaitedEvent, objects: Pick<RecordObjects, 'catalog' | 'changeOf'>): boolean {
  if (!where) return true;
  const seen = receivedOutput(event).event;
  return valueHolds(where, { trigger: { event: null, record: null }, steps: {}, event: { ...seen, payload: payloadByName(objects, { ...event, payload: seen.payload }) } });
}
