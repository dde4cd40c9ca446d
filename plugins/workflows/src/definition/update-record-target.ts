// Publishing's checks of which records an `updateRecord` step updates: the trigger's record, another by `record` (an
// id, with its object), or the records of a relation (a to-many one's `where` and `max`). The values are validate.ts's.
import type { RecordAccess } from '@crm/plugin-sdk';
import type { Step } from './document.js';
import { fail, isToManyUpdate } from './template-checks.js';
import { templatePaths, wholeTemplate } from './templates.js';
import { describeType, type ValueType } from './value-types.js';
import { isRecordId } from '../runs/wait-for-event.js';

type Declared = ReturnType<RecordAccess['catalog']['get']>;
type UpdateRecord = Extract<Step, { kind: 'updateRecord' }>;

export interface UpdateTargetScope {
  objects: RecordAccess;
  /** The trigger's object and its declaration (null: the trigger has no record). */
  object: string | null;
  declared: Declared | null;
  /** The type of a template path (template-checks.ts). */
  typeOfPath: (path: string) => ValueType;
}

/**
 * An `updateRecord` step's `record` (another record than the trigger's): a literal row id or one template holding an
 * id; its object is the id's type when known (`{{steps.makeTask.output.id}}`: a Task's), else `object` names it; both
 * given, they agree. The object is written into the step (`object`), so that a run knows it without the plan.
 */
function recordTarget({ objects, typeOfPath }: UpdateTargetScope, step: UpdateRecord, stepAt: string) {
  if (step.relation !== undefined) fail(`${stepAt}.relation`, 'give record or relation, not both');
  const path = typeof step.record === 'string' ? wholeTemplate(step.record) : null;
  let known: string | undefined;
  if (path !== null) {
    const type = typeOfPath(path);
    if (type.kind !== 'id' && type.kind !== 'unknown') fail(`${stepAt}.record`, `{{${path}}} is ${describeType(type)}; this needs a record's id`);
    known = type.object;
  } else if (typeof step.record !== 'string' || !isRecordId(step.record)) {
    fail(`${stepAt}.record`, `a record's row id (a uuid) or one template holding one ({{steps.<id>.output.id}}) (got ${JSON.stringify(step.record)})`);
  }
  if (known && step.object !== undefined && step.object !== known) fail(`${stepAt}.object`, `{{${path}}} is a ${known} id, not a ${step.object}'s`);
  const name = step.object ?? known;
  if (!name) fail(`${stepAt}.object`, `say which object the record is: {{${path}}}'s type is not known when publishing`);
  if (!objects.catalog.has(name!)) fail(`${stepAt}.object`, `no object ${name} is declared`);
  step.object = name;
  return objects.catalog.get(name!);
}

/** The object whose records an `updateRecord` step updates, its `record`, `relation`, `where` and `max` checked. */
export function updateRecordTarget(scope: UpdateTargetScope, step: UpdateRecord, stepAt: string): Declared {
  const { objects, object, declared } = scope;
  let target = declared!;
  if (step.record !== undefined) {
    target = recordTarget(scope, step, stepAt);
  } else if (!object) {
    fail(`${stepAt}.kind`, 'this trigger has no record to update: name one with `record` (a template holding its id) and `object`');
  } else if (step.object !== undefined) {
    fail(`${stepAt}.object`, 'object says what `record` is: give record too (or leave object out to update the trigger\'s record)');
  } else if (step.relation !== undefined) {
    // A to-one relation kept on this record, or a to-many one (its records `where` matches, at most `max`), a custom
    // relation's reverse too (`contracts` of a customer: a custom object's or a plugin object's records, batch-written).
    const usable = (r: { kind: string; keyOnTarget: boolean }) => (r.kind === 'toOne' && !r.keyOnTarget) || r.kind === 'toMany';
    const relation = declared!.relations.get(step.relation);
    if (!relation || !usable(relation)) {
      const named = [...declared!.relations.values()].filter(usable).map((r) => r.name);
      fail(`${stepAt}.relation`, `${object} has no relation ${step.relation} to update through (it has ${named.join(', ') || 'none'})`);
    }
    target = objects.catalog.target(relation!);
    if (relation!.kind === 'toMany' && step.where) {
      // A fixed filter, checked whole here (its fields, operators and values against the related object): a
      // template's value is known only at run, where a bad one would fail every run, so none is taken.
      const [held] = templatePaths(step.where, '');
      if (held) fail(`${stepAt}.where.${held.at}`, `{{${held.path}}}: where is a fixed filter of ${target.name}, checked when the workflow is published; it takes no templates (test the record's values with a condition step before this one)`);
      objects.parseFilter(target.name, step.where, `${stepAt}.where`);
    }
  }
  const many = isToManyUpdate(step, declared);
  if (!many && step.where !== undefined) fail(`${stepAt}.where`, 'where chooses among the records of a to-many relation (`relation: "tasks"`)');
  if (!many && step.max !== undefined) fail(`${stepAt}.max`, 'max bounds the records of a to-many relation (`relation: "tasks"`)');
  return target;
}
