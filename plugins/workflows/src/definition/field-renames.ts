// A custom field renamed (`fieldRenamed`, in `renameCustomField`'s transaction): the workspace's drafts and published
// versions that name it are rewritten to the new name, as saved segments' filters are — its trigger's fields, every
// condition on the trigger's record (through relations: core's `renameInFilter`), the values steps write to a record
// of its object, templates reading it (`{{trigger.record.tier}}`, `{{trigger.record.customer.tier}}`, the trigger's
// change of it: `{{trigger.event.payload.changes.tier.to}}` under a trigger on its object), and a wait's
// condition on a change of it (`{{event.payload.changes.tier.to}}` awaiting an event about its object). So they keep
// working, and show the new name.
import type { FieldInQuestion, FieldRenameContext } from '@crm/plugin-sdk';
import { isValueCondition } from './value-condition.js';
import type { WorkflowDefinition } from './document.js';
import { STILL_WAITING } from './object-renames.js';
import { triggerKeyOf } from './validate.js';
import { RENAMES_LOCK } from '../runs/wait-for-event.js';

type Json = Record<string, unknown>;
type Renaming = Pick<FieldRenameContext<unknown>, 'renames' | 'renameInFilter' | 'targetOf'>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A template reading the trigger's record: `{{trigger.record.<field>}}` or `.<relation>.<field>` (field-users.ts too). */
export const RECORD_TEMPLATE = /\{\{(\s*)trigger\.record\.([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?(\s*)\}\}/g;
/** A `waitForEvent`'s condition reading a change of a field of the awaited event's subject (field-users.ts too). */
export const EVENT_CHANGE_TEMPLATE = /\{\{(\s*)event\.payload\.changes\.([A-Za-z_]\w*)([^{}]*)\}\}/g;
/** Any step's read of a change of a field of the trigger's event (`{{trigger.event.payload.changes.tier.to}}`): of the trigger's object. */
const TRIGGER_CHANGE_TEMPLATE = /\{\{(\s*)trigger\.event\.payload\.changes\.([A-Za-z_]\w*)([^{}]*)\}\}/g;
/**
 * Whether a wait's event is about `object`'s records, so that `changes.<field>` names one of its fields: by the event
 * type's entity (`customer.updated`, `contract.updated`), as record events are named.
 */
export const eventIsAbout = (eventType: unknown, object: string): boolean =>
  typeof eventType === 'string' && eventType.split('.')[0] === object.charAt(0).toLowerCase() + object.slice(1);

/** A wait's `where` (a step's, or a waiting step's input) reading a change of the field, under its new name. */
function renamedWhere(wait: Json, field: FieldInQuestion, renames: ReadonlyMap<string, string>): unknown {
  const where = wait.where;
  if (!isObject(where) || typeof where.value !== 'string' || !eventIsAbout(wait.eventType, field.object)) return where;
  const value = where.value.replace(EVENT_CHANGE_TEMPLATE, (_whole, open: string, name: string, rest: string) => `{{${open}event.payload.changes.${renames.get(name) ?? name}${rest}}}`);
  return value === where.value ? where : { ...where, value };
}

/** `stored` with the field's names replaced (the same object when it does not name the field). */
export function renamedDefinition(stored: unknown, field: FieldInQuestion, context: Renaming): unknown {
  if (!isObject(stored) || !isObject(stored.trigger)) return stored;
  const object = typeof stored.trigger.object === 'string' ? stored.trigger.object : null;
  /** A name of `on`'s fields (or relations) after the rename. */
  const nameIn = (on: string | null, name: string) => (on === field.object ? (context.renames.get(name) ?? name) : name);
  const keysIn = (on: string | null, values: unknown) => (isObject(values) ? Object.fromEntries(Object.entries(values).map(([key, value]) => [nameIn(on, key), value])) : values);
  // A value condition is no filter: its template is renamed with the others (below).
  const filterOf = (filter: unknown) => (object && isObject(filter) && !isValueCondition(filter) ? context.renameInFilter(object, filter) : filter);

  const trigger: Json = { ...stored.trigger };
  if (object === field.object) {
    if (typeof trigger.field === 'string') trigger.field = nameIn(object, trigger.field);
    if (Array.isArray(trigger.fields)) trigger.fields = trigger.fields.map((name) => (typeof name === 'string' ? nameIn(object, name) : name));
  }
  if (isObject(trigger.condition)) trigger.condition = filterOf(trigger.condition);

  const templates = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value
        .replace(RECORD_TEMPLATE, (whole, open: string, first: string, second: string | undefined, close: string) => {
          const target = second === undefined || !object ? null : context.targetOf(object, first);
          return `{{${open}trigger.record.${nameIn(object, first)}${second === undefined ? '' : `.${nameIn(target, second)}`}${close}}}`;
        })
        .replace(TRIGGER_CHANGE_TEMPLATE, (_whole, open: string, name: string, rest: string) => `{{${open}trigger.event.payload.changes.${nameIn(object, name)}${rest}}}`);
    }
    if (Array.isArray(value)) return value.map(templates);
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, templates(item)]));
    return value;
  };
  const stepOf = (raw: unknown): unknown => {
    if (!isObject(raw)) return raw;
    const step: Json = { ...raw };
    for (const branch of ['then', 'else', 'default', 'onTimeout']) if (Array.isArray(step[branch])) step[branch] = (step[branch] as unknown[]).map(stepOf);
    if (step.do !== undefined) step.do = stepOf(step.do);
    if (step.kind === 'waitForEvent') step.where = renamedWhere(step, field, context.renames);
    if (isObject(step.if)) step.if = filterOf(step.if);
    if (Array.isArray(step.cases)) step.cases = step.cases.map((c) => (isObject(c) ? { ...c, when: filterOf(c.when), steps: Array.isArray(c.steps) ? c.steps.map(stepOf) : c.steps } : c));
    if (step.kind === 'createRecord' && typeof step.object === 'string') step.values = keysIn(step.object, step.values);
    if (step.kind === 'updateRecord') {
      const relation = typeof step.relation === 'string' ? step.relation : null;
      // Another record (`record`): its values are fields of its `object`.
      const target = step.record !== undefined ? (typeof step.object === 'string' ? step.object : null) : relation ? object && context.targetOf(object, relation) : object;
      step.values = keysIn(target, step.values);
      // A to-many relation's `where`: a filter of the related object.
      if (relation && target && isObject(step.where)) step.where = context.renameInFilter(target, step.where);
      if (relation) step.relation = nameIn(object, relation);
    }
    return step;
  };
  const renamed = { ...stored, trigger, steps: templates(Array.isArray(stored.steps) ? stored.steps.map(stepOf) : stored.steps) };
  return JSON.stringify(renamed) === JSON.stringify(stored) ? stored : renamed;
}

/**
 * The workspace's drafts and published versions rewritten (versions name custom fields only when `workspaceModel`),
 * and the `where` of its steps waiting for an event: a waiting step holds its condition in its input (runs/run-step.ts),
 * and the events it waits for now carry the new name. Read with one statement per table and written with one for all
 * (`rows.write`: each row's new JSON computed here, one UPDATE … FROM per table), whatever the number of rows; a
 * waiting step's `where` is merged into its input (`merge`), not its whole input written back.
 */
export async function renameInWorkflows(field: FieldInQuestion, context: FieldRenameContext<unknown>): Promise<string[]> {
  // Before any read: a wait beginning now commits first, and its step is read below (runs/wait-for-event.ts).
  await context.lock(RENAMES_LOCK);
  const drafts: { id: string; draft: unknown; updatedAt: Date }[] = [];
  const now = new Date();
  for (const workflow of await context.tx.workflow.findMany({ select: { id: true, draft: true } })) {
    const draft = renamedDefinition(workflow.draft, field, context);
    // Stamped as Prisma's update stamped it: an editor holding the old draft is told it changed (`expectedUpdatedAt`).
    if (draft !== workflow.draft) drafts.push({ id: workflow.id, draft, updatedAt: now });
  }
  const versions: { id: string; definition: unknown; triggerKey: string | null }[] = [];
  for (const version of await context.tx.workflowVersion.findMany({ where: { workspaceModel: true }, select: { id: true, definition: true } })) {
    const definition = renamedDefinition(version.definition, field, context);
    // A date trigger's key names its field (`date:Customer.contractEnd`).
    if (definition !== version.definition) versions.push({ id: version.id, definition, triggerKey: triggerKeyOf(definition as WorkflowDefinition) });
  }
  const waiting: { id: string; input: Json }[] = [];
  for (const step of await context.tx.workflowStepRun.findMany({ where: { kind: 'waitForEvent', status: 'WAITING', waitKey: { not: null } }, select: { id: true, input: true } })) {
    if (!isObject(step.input)) continue;
    const where = renamedWhere(step.input, field, context.renames);
    if (where !== step.input.where) waiting.push({ id: step.id, input: { where } });
  }
  const writes = [
    { update: 'Workflow', rows: drafts },
    { update: 'WorkflowVersion', rows: versions },
    // Only `where` merged into the stored input: a step transaction's look-back writes only its `sinceSeq` (both under
    // the row's lock, each merged into what the other committed), so neither puts back what the other changed.
    { update: 'WorkflowStepRun', rows: waiting, merge: ['input'], onlyIf: STILL_WAITING },
  ];
  await context.rows.write(writes.filter((write) => write.rows.length));
  // Runs under way read the trigger as they stored it at their start (its record's custom fields, and its event's
  // changes, by their names then), with templates now rewritten to the new name: the keys are renamed in their
  // snapshots too, by the database in one statement whatever the number of runs (not read here and written back, nor
  // resolved through the renames at every read, which would need each run to know the renames since its start).
  await context.rows.renameKeys({
    update: 'WorkflowRun',
    column: 'trigger',
    at: [['record'], ['event', 'payload', 'changes']],
    renames: context.renames,
    where: { status: ['QUEUED', 'RUNNING', 'WAITING'], recordType: [field.object] },
  });
  return versions.map((version) => version.id);
}
