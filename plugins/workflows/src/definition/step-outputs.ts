// What each step kind outputs, with each value's type, so that `{{steps.<id>.output.<key>}}` is checked at publish
// (the key exists; the value fits where it is used: a date for `wait.until`, a list for `forEach.items`). `null`: any
// key of any type: a `callAction` step's action that declares no output (one that declares it types the step's output
// by that declaration: template-checks.ts).
import type { StepKind } from './document.js';
import type { ValueType } from './value-types.js';

const id = (object?: string): ValueType => ({ kind: 'id', ...(object ? { object } : {}) });
const text: ValueType = { kind: 'text' };
const number: ValueType = { kind: 'number' };
const list: ValueType = { kind: 'list' };

export const stepOutputTypes: Record<StepKind, Readonly<Record<string, ValueType>> | null> = {
  condition: { branch: text },
  switch: { branch: text },
  forEach: { count: number, outputs: list },
  // The event received: null when the wait timed out (every wait has a timeout); read deeper by its declared payload.
  waitForEvent: { received: { kind: 'boolean' }, event: { kind: 'unknown', nullable: true } },
  // The record updated or created: its object is the step's target (known from the step, not from its kind). Through a
  // to-many relation: `ids` and `count` of those changed (`id` null); else `ids` is the one.
  updateRecord: { id: id(), ids: list, count: number, changed: list },
  createTask: { id: id('Task'), title: text, dueAt: { kind: 'date' } },
  createDeal: { id: id('Deal'), title: text },
  createRecord: { id: id() },
  logActivity: { id: id('Activity') },
  addTag: { tags: list },
  removeTag: { tags: list },
  // The segment, and whether the step made the customer enter (leave) it: false when it was a member (was not) already.
  addToSegment: { segmentId: id('Segment'), segment: text, changed: { kind: 'boolean' } },
  removeFromSegment: { segmentId: id('Segment'), segment: text, changed: { kind: 'boolean' } },
  // The answer: its status, its body (JSON parsed, else text: its shape is the other side's), whether it was cut off.
  httpRequest: { status: number, body: { kind: 'unknown' }, truncated: { kind: 'boolean' } },
  sendEmail: { messageId: text },
  wait: { until: { kind: 'date' } },
  // By its action's declared output when it has one (template-checks.ts' `outputTypesOf`).
  callAction: null,
};

/** The keys each step kind outputs (null: any). */
export const stepOutputs: Record<StepKind, readonly string[] | null> = Object.fromEntries(
  Object.entries(stepOutputTypes).map(([kind, types]) => [kind, types ? Object.keys(types) : null]),
) as Record<StepKind, readonly string[] | null>;

/** Outputs holding structured values, read deeper: a received event, a loop's outputs, an HTTP answer's body. */
export const openOutputs: ReadonlySet<string> = new Set(['event', 'outputs', 'body']);

/** Step kinds a `forEach` may do per item: those that only change the database (done in the loop's transaction). */
export const loopableKinds: ReadonlySet<StepKind> = new Set([
  'updateRecord', 'createTask', 'createDeal', 'createRecord', 'logActivity', 'addTag', 'removeTag', 'addToSegment', 'removeFromSegment', 'callAction',
]);
