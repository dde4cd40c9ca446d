// Publishing's check of a step's plain values (those without templates), by the rules the write applies when the step
// runs: a command step's values as the step hands them to its core command (a date text made a Date, a number made
// text), checked with that command's own input schema (core's, through the SDK); an email by the rule sendEmail sends
// with; record values by their field's declared kind; a loop's list, a wait's date, a waited-for record's id. So a
// published version fails only on data (templates' values), never on a value written in the definition.
import { createDealInput, createTaskInput, enumValuesOf, inputFields, logActivityInput, updateCustomerTagsInput, z } from '@crm/plugin-sdk';
import { emailAddressProblem } from '../mail/addresses.js';
import { segmentId } from '../steps/input-values.js';
import type { Step, StepKind } from './document.js';
import { fail } from './template-checks.js';
import { templatePaths } from './templates.js';

type Schema = z.ZodType;
/** A rule: the problem with a value as the step will write it, or null. */
type Check = (value: unknown) => string | null;

const by = (schema: Schema): Check => (value) => {
  const result = schema.safeParse(value);
  return result.success ? null : result.error.issues[0]!.message;
};
/** What `text()` (steps/input-values.ts) takes for a required text: a non-blank string (a number is written as text). */
const someText = by(z.string().trim().min(1, 'Must not be empty'));
/** Keys a step converts to a Date before its command (`new Date(String(v))`: step-kinds.ts, grouped-steps.ts). */
const DATE_KEYS = new Set(['dueAt', 'expectedCloseAt', 'until']);
/** Keys a step must have a value for (the others: null or '' is left out, as `optional()` does). */
const REQUIRED = new Set(['title', 'subject', 'text', 'to', 'tag', 'segment', 'type', 'channel']);

/** A command's rules for the keys a step names as its input schema does (`createTask`'s `title`, `dueAt`, …). */
const ofCommand = (schema: z.ZodObject, keys: readonly string[]): Record<string, Check> => Object.fromEntries(keys.map((key) => [key, by(schema.shape[key] as Schema)]));
/** A tag step changes one tag: the command's rule for its list of tags, on a list of that one. */
const tag: Check = (value) => by(updateCustomerTagsInput.shape.add as Schema)([value]);
/** A segment step's segment: a row id or a Segment's global id (as the step reads it: steps/input-values.ts). */
const segmentIdRule: Check = (value) => {
  try {
    segmentId(value);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^segment: /, '') : 'a segment id';
  }
};

/** By step kind: each key's rule, as its command (or the sending) checks it. */
const RULES: Partial<Record<StepKind, Record<string, Check>>> = {
  logActivity: ofCommand(logActivityInput, ['customerId', 'type', 'channel', 'subject', 'body']),
  createDeal: ofCommand(createDealInput, ['title', 'customerId', 'amount', 'pipelineId', 'stageId', 'ownerId', 'expectedCloseAt']),
  createTask: ofCommand(createTaskInput, ['title', 'notes', 'dueAt', 'assigneeId', 'customerId', 'dealId']),
  addTag: { tag, customerId: by(updateCustomerTagsInput.shape.id) },
  removeTag: { tag, customerId: by(updateCustomerTagsInput.shape.id) },
  // Which segment it names, and that it is a STATIC one of the workspace, is read at publish (segment-steps.ts).
  addToSegment: { segment: segmentIdRule, customerId: by(inputFields.id) },
  removeFromSegment: { segment: segmentIdRule, customerId: by(inputFields.id) },
  sendEmail: { to: (value) => (typeof value === 'string' ? emailAddressProblem(value) : 'an email address'), subject: someText, text: someText },
  wait: { until: by(inputFields.date) },
  waitForEvent: { subjectId: by(inputFields.id) },
};

/** Whether a value holds no template (anywhere inside it): it is what the step will use. */
export const isPlain = (value: unknown) => templatePaths(value, '').length === 0;

/** BAD_USER_INPUT naming the first plain value of `step` that its write would refuse (`definition.steps.0.type`). */
export function checkPlainValues(step: Step, stepAt: string): void {
  const values = step as unknown as Record<string, unknown>;
  for (const [key, check] of Object.entries(RULES[step.kind] ?? {})) {
    const value = values[key];
    if (value === undefined || !isPlain(value)) continue;
    if ((value === null || value === '') && !REQUIRED.has(key)) continue;
    const written = typeof value === 'number' && !DATE_KEYS.has(key) ? String(value) : value;
    const converted = DATE_KEYS.has(key) && value !== null ? new Date(String(value)) : written;
    const problem = check(converted);
    if (problem) fail(`${stepAt}.${key}`, `${problem} (got ${JSON.stringify(value)})`);
  }
  if (step.kind === 'forEach' && isPlain(step.items)) {
    if (!Array.isArray(step.items)) fail(`${stepAt}.items`, 'a list (or a template holding one)');
    if ((step.items as unknown[]).length > step.max) fail(`${stepAt}.items`, `${(step.items as unknown[]).length} items, over the loop's max of ${step.max}`);
  }
}

/** A record field as the object model declares it. */
interface DeclaredField {
  kind: string;
  enum?: string | undefined;
}

/**
 * Record values (`updateRecord`, `createRecord`) by their field's declared kind: an enum's value among its values, a
 * date a date, true or false for a boolean. Null clears a field; the writer's own rules (money, lengths) apply when it runs.
 */
export function checkPlainRecordValues(target: { name: string; fields: ReadonlyMap<string, DeclaredField> }, values: Record<string, unknown>, stepAt: string): void {
  for (const [name, value] of Object.entries(values)) {
    const field = target.fields.get(name);
    if (!field || value === null || !isPlain(value)) continue;
    const at = `${stepAt}.values.${name}`;
    if (field.kind === 'enum' && field.enum) {
      const allowed = enumValuesOf(field.enum);
      if (allowed && !allowed.includes(value as string)) fail(at, `one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
    } else if ((field.kind === 'date' || field.kind === 'datetime') && (typeof value !== 'string' || Number.isNaN(new Date(value).getTime()))) {
      fail(at, `a date (got ${JSON.stringify(value)})`);
    } else if (field.kind === 'boolean' && typeof value !== 'boolean') {
      fail(at, `true or false (got ${JSON.stringify(value)})`);
    }
  }
}
