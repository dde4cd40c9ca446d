// A step's input as it runs: templates filled in from the trigger and earlier outputs, relative times made absolute,
// the customer it acts on defaulted from the trigger's record. Recorded on the step run (its history) and shown by
// the dry run; every step kind reads only this.
import type { RecordAccess } from '@crm/plugin-sdk';
import type { Step } from '../definition/document.js';
import { durationMs, MAX_RELATED_UPDATES } from '../definition/document.js';
import { resolveTemplates, type TemplateScope } from '../definition/templates.js';

export type StepInput = Record<string, unknown>;

/** The customer a step acts on when it names none: the record itself, or the record's `customerId`. */
function defaultCustomer(scope: TemplateScope, recordType: string | null): unknown {
  const record = scope.trigger.record;
  if (!record) return null;
  return recordType === 'Customer' ? record.id : (record.customerId ?? null);
}

export interface StepInputContext {
  now: Date;
  recordType: string | null;
  recordId: string | null;
  /** `updateRecord` with a `relation`: its target object, its key (`customerId`), whether it is to-many. */
  relationOf?: (relation: string) => { object: string; key: string; many: boolean } | null;
}

/** `relationOf` for a record of `recordType` (none: no record, or an object `catalog` does not hold). */
export function relationsOf(catalog: RecordAccess['catalog'], recordType: string | null): NonNullable<StepInputContext['relationOf']> {
  return (name) => {
    const relation = recordType && catalog.has(recordType) ? catalog.get(recordType).relations.get(name) : undefined;
    return relation ? { object: catalog.target(relation).name, key: relation.key, many: relation.kind === 'toMany' } : null;
  };
}

export function stepInput(step: Step, scope: TemplateScope, context: StepInputContext): StepInput {
  const { id: _id, name: _name, kind: _kind, ...values } = step;
  // Nested steps are resolved when they run (a loop's step once per item, branches when taken).
  for (const nested of ['then', 'else', 'cases', 'default', 'onTimeout', 'do']) delete (values as Record<string, unknown>)[nested];
  const resolved = resolveTemplates(values, scope) as StepInput;
  switch (step.kind) {
    case 'createTask':
      if (step.dueIn) {
        resolved.dueAt = new Date(context.now.getTime() + durationMs(step.dueIn)).toISOString();
        delete resolved.dueIn;
      }
      // A task is about the record's customer unless it says otherwise (and is not tied to a deal instead).
      if (resolved.customerId === undefined && resolved.dealId === undefined) resolved.customerId = defaultCustomer(scope, context.recordType) ?? undefined;
      return resolved;
    case 'addTag':
    case 'removeTag':
    case 'addToSegment':
    case 'removeFromSegment':
    case 'logActivity':
    case 'createDeal':
      if (resolved.customerId === undefined) resolved.customerId = defaultCustomer(scope, context.recordType);
      return resolved;
    case 'updateRecord': {
      // Another record (`record`): its object as publishing wrote it, its id as the template holds it.
      if (step.record !== undefined) return { object: step.object ?? null, record: resolved.record ?? null, id: resolved.record ?? null, values: resolved.values };
      if (!step.relation) return { object: context.recordType, id: context.recordId, values: resolved.values };
      const related = context.relationOf?.(step.relation) ?? null;
      // To-many: the related records of the run's record, chosen when the step runs.
      if (related?.many) return { object: related.object, relation: step.relation, source: context.recordType, id: context.recordId, where: resolved.where ?? null, max: step.max ?? MAX_RELATED_UPDATES, values: resolved.values };
      const record = scope.trigger.record;
      return { object: related?.object ?? null, relation: step.relation, id: related && record ? (record[related.key] ?? null) : null, values: resolved.values };
    }
    case 'wait':
      return { until: step.for ? new Date(context.now.getTime() + durationMs(step.for)).toISOString() : resolved.until };
    case 'waitForEvent':
      return {
        eventType: step.eventType,
        subjectId: resolved.subjectId === undefined ? context.recordId : resolved.subjectId,
        until: new Date(context.now.getTime() + durationMs(step.timeout)).toISOString(),
        // As written: its `{{event.…}}` is the event waited for, tested as each one comes (steps/value-condition.ts).
        ...(step.where ? { where: step.where } : {}),
      };
    case 'condition':
      return { if: step.if };
    case 'switch':
      return { cases: step.cases.map((c) => ({ name: c.name, when: c.when })) };
    default:
      return resolved;
  }
}
