// Publishing's check of a `callAction` step's input against the action's declared schema (the SDK's `ActionInfo.input`).
import type { ActionInfo, ActionInputField, RecordAccess } from '@crm/plugin-sdk';
import { isPlain } from './plain-values.js';
import { fail } from './template-checks.js';
import { actionKeyType as keyType, describeType, type ValueType } from './value-types.js';

/** The value type an action's input key takes (value-types.ts: the same rule types an action's declared output). */
const actionKeyType = (objects: RecordAccess, key: string, field: ActionInputField | undefined): ValueType =>
  keyType(key, field ?? { kind: 'unknown', object: null, nullable: true }, objects.catalog.objects, 'input');

/**
 * A `callAction` step's input by the action's declared schema: no key it does not take, every key it requires, each
 * plain value by the key's own rule, each template of the kind the key takes (`checkTyped`; an id key — a uuid, or
 * declaring its object, or named `<object>Id` — an id of that object: `customerId` a Customer's; a key that takes no
 * null, no value that may be null).
 */
export function checkActionInput(
  objects: RecordAccess,
  checkTyped: (value: unknown, need: ValueType, field: string) => void,
  action: ActionInfo,
  input: Record<string, unknown>,
  inputAt: string,
): void {
  const keys = action.inputKeys;
  for (const key of Object.keys(input)) if (keys.length && !keys.includes(key)) fail(`${inputAt}.${key}`, `${action.name} takes ${keys.join(', ')}`);
  for (const [key, field] of Object.entries(action.input)) {
    if (field.required && input[key] === undefined) fail(`${inputAt}.${key}`, `${action.name} needs ${key} (${describeType(actionKeyType(objects, key, field))})`);
  }
  for (const [key, value] of Object.entries(input)) {
    const field = action.input[key];
    if (isPlain(value)) {
      const problem = field?.problem(value);
      if (problem) fail(`${inputAt}.${key}`, `${problem} (got ${JSON.stringify(value)})`);
    } else {
      checkTyped(value, actionKeyType(objects, key, field), `${inputAt}.${key}`);
    }
  }
}
