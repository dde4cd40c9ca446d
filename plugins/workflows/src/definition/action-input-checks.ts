// Publishing's check of a `callAction` step's input against the action's declared schema (the SDK's `ActionInfo.input`).
import type { ActionInfo, ActionInputKind, RecordAccess } from '@crm/plugin-sdk';
import { isPlain } from './plain-values.js';
import { fail } from './template-checks.js';
import { describeType, idOf, type ValueType } from './value-types.js';

/** The value type an action's input key takes: its declared kind; an id of the object its name says (`customerId`). */
function actionKeyType(objects: RecordAccess, key: string, kind: ActionInputKind): ValueType {
  const named = /^([a-z]\w*)Id$/.exec(key)?.[1];
  const target = named ? [...objects.catalog.objects].find((o) => o.name === named.charAt(0).toUpperCase() + named.slice(1)) : undefined;
  if (target && (kind === 'id' || kind === 'text' || kind === 'unknown')) return idOf(target.name);
  return { kind };
}

/**
 * A `callAction` step's input by the action's declared schema: no key it does not take, every key it requires, each
 * plain value by the key's own rule, each template of the kind the key takes (`checkTyped`; an id key — a uuid, or
 * named `<object>Id` — an id of that object: `customerId` a Customer's).
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
    if (field.required && input[key] === undefined) fail(`${inputAt}.${key}`, `${action.name} needs ${key} (${describeType(actionKeyType(objects, key, field.kind))})`);
  }
  for (const [key, value] of Object.entries(input)) {
    const field = action.input[key];
    if (isPlain(value)) {
      const problem = field?.problem(value);
      if (problem) fail(`${inputAt}.${key}`, `${problem} (got ${JSON.stringify(value)})`);
    } else {
      checkTyped(value, actionKeyType(objects, key, field?.kind ?? 'unknown'), `${inputAt}.${key}`);
    }
  }
}
