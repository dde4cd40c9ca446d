// Publishing's check of a step's plain values (those without templates): the step's own builder (steps/command-inputs.ts,
// the one it runs with) makes each plain value what its write takes — a date text made a Date, a number made text, a
// `to` one email address, a waited-for record's id, a loop's list — and what it built is parsed with the core command's
// own input schema (core's, through the SDK). So a value written in the definition is refused at publish when the run
// would refuse it (and, for an optional text, also a list the run writes as "a,b" for versions published before:
// `InputPart.publish`), and a published version fails only on data (templates' values). Values the run fills in (the
// trigger's customer, `dueIn`'s due time, the run's record) are checked where validate.ts decides them.
import type { RecordAccess, z } from '@crm/plugin-sdk';
import { builtValue, inputBuilders, isBuilt, loopItems, recordValue } from '../steps/command-inputs.js';
import { StepValueError } from '../steps/input-values.js';
import type { Step } from './document.js';
import { fail } from './template-checks.js';
import { templatePaths } from './templates.js';

/** Whether a value holds no template (anywhere inside it): it is what the step will use. */
export const isPlain = (value: unknown) => templatePaths(value, '').length === 0;

/** `make()`, or BAD_USER_INPUT naming `stepAt.key` with the problem its rule found. */
function built<T>(stepAt: string, key: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof StepValueError) fail(`${stepAt}.${key}`, error.problem);
    throw error;
  }
}

/** BAD_USER_INPUT naming the first plain value of `step` that its write would refuse (`definition.steps.0.type`). */
export function checkPlainValues(step: Step, stepAt: string): void {
  if (step.kind === 'forEach') {
    if (isPlain(step.items)) built(stepAt, 'items', () => loopItems(step.items, step.max));
    return;
  }
  if (!isBuilt(step.kind)) return;
  const values = step as unknown as Record<string, unknown>;
  const { parts, schema } = inputBuilders[step.kind];
  for (const [key, part] of Object.entries(parts)) {
    const value = values[key];
    if (value === undefined || !isPlain(value)) continue;
    const made = built(stepAt, key, () => builtValue(part, value, key, true));
    const rule = made === undefined ? undefined : (schema?.shape[part.to ?? key] as z.ZodType | undefined);
    const result = rule?.safeParse(made);
    if (result && !result.success) fail(`${stepAt}.${key}`, `${result.error.issues[0]!.message} (got ${JSON.stringify(value)})`);
  }
}

/**
 * Record values (`updateRecord`, `createRecord`) as their writer takes them: by the rule the step writes them with
 * (`recordValue`: a number field a number, an enum one of its values, a date-and-time column a date, a number written
 * as text in a text field), then by the writer's own rule for the field (the SDK's `checkValue`: a declared field's by
 * its writer's input schema — a task's title not blank, a wallet not negative, a customer's name not cleared —, a custom field's by its definition — a
 * DATE a day, a SELECT one of its options, a required one not null). What depends on the data (a record that exists, a
 * unique value) is the writer's when it runs.
 */
export function checkPlainRecordValues(
  objects: RecordAccess,
  target: ReturnType<RecordAccess['catalog']['get']>,
  action: 'create' | 'update',
  values: Record<string, unknown>,
  stepAt: string,
): void {
  for (const [name, value] of Object.entries(values)) {
    if (!isPlain(value)) continue;
    const made = built(stepAt, `values.${name}`, () => recordValue(target.fields.get(name), value, `values.${name}`));
    objects.checkValue(target.name, name, made, action, `${stepAt}.values.${name}`);
  }
}
