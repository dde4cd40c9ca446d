// A step's input as it runs: templates filled in from the trigger and earlier outputs, relative times made absolute,
// the customer it acts on defaulted from the trigger's record. Recorded on the step run (its history) and shown by
// the dry run; every step kind reads only this.
import type { Step } from '../definition/document.js';
import { durationMs } from '../definition/document.js';
import { resolveTemplates, type TemplateScope } from '../definition/templates.js';

export type StepInput = Record<string, unknown>;

/** The customer a step acts on when it names none: the record itself, or the record's `customerId`. */
function defaultCustomer(scope: TemplateScope, recordType: string | null): unknown {
  const record = scope.trigger.record;
  if (!record) return null;
  return recordType === 'Customer' ? record.id : (record.customerId ?? null);
}

export function stepInput(step: Step, scope: TemplateScope, context: { now: Date; recordType: string | null; recordId: string | null }): StepInput {
  const { id: _id, name: _name, kind: _kind, ...values } = step;
  const resolved = resolveTemplates(values, scope) as StepInput;
  switch (step.kind) {
    case 'createTask':
      if (step.dueIn) {
        resolved.dueAt = new Date(context.now.getTime() + durationMs(step.dueIn)).toISOString();
        delete resolved.dueIn;
      }
      return resolved;
    case 'addTag':
    case 'removeTag':
    case 'logActivity':
      if (resolved.customerId === undefined) resolved.customerId = defaultCustomer(scope, context.recordType);
      return resolved;
    case 'updateRecord':
      return { id: context.recordId, values: resolved.values };
    case 'wait':
      return { until: step.for ? new Date(context.now.getTime() + durationMs(step.for)).toISOString() : resolved.until };
    default:
      return resolved;
  }
}
