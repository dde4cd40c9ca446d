// Which workflows name a custom field (`fieldUsers`, asked when an ADMIN deletes one; docs/plugins/workflows.md):
// drafts and published versions are walked as stored, so a draft that no longer validates is still looked at.
import type { FieldInQuestion, FieldUser, FieldUsersContext } from '@crm/plugin-sdk';
import { EVENT_CHANGE_TEMPLATE, eventIsAbout, RECORD_TEMPLATE } from './field-renames.js';
import { templatePaths } from './templates.js';
import { isValueCondition } from './value-condition.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The steps inside a step (branches, cases, a loop's body, a wait's timeout steps). */
function innerSteps(step: Json): unknown[] {
  return [...listOf(step.then), ...listOf(step.else), ...listOf(step.cases).flatMap((c) => (isObject(c) ? listOf(c.steps) : [])), ...(isObject(step.do) ? [step.do] : []), ...listOf(step.default), ...listOf(step.onTimeout)];
}

/**
 * Whether a stored definition names the field: its trigger's date field or changed fields, a condition on the
 * trigger's record (the trigger's, `condition` and `switch` steps': through relations too; a value condition reading
 * `{{trigger.record.<field>}}` or `.<relation>.<field>`), the values a step writes to a record of the field's
 * object (`createRecord`; `updateRecord` of the trigger's record), a wait's condition on a change of it
 * (`{{event.payload.changes.<field>.to}}`, awaiting an event about its object), or any step's read of the trigger's
 * change of it (`{{trigger.event.payload.changes.<field>.to}}`, a trigger on its object, or an event trigger whose
 * type is about it) or of a wait's received one (`{{steps.<wait>.output.event.payload.changes.<field>.to}}`).
 */
export function definitionUses(stored: unknown, field: FieldInQuestion, { filterUses, targetOf }: Pick<FieldUsersContext<unknown>, 'filterUses' | 'targetOf'>): boolean {
  if (!isObject(stored) || !isObject(stored.trigger)) return false;
  const trigger = stored.trigger;
  const object = typeof trigger.object === 'string' ? trigger.object : null;
  const reads = (template: unknown) =>
    typeof template === 'string' &&
    [...template.matchAll(RECORD_TEMPLATE)].some(([, , first, second]) =>
      second === undefined ? object === field.object && first === field.name : second === field.name && !!object && targetOf(object, first!) === field.object,
    );
  const writes = (values: unknown) => isObject(values) && (field.name in values || (isObject(values.customFields) && field.name in values.customFields));
  if (object === field.object && (trigger.field === field.name || listOf(trigger.fields).includes(field.name))) return true;
  if (object && isObject(trigger.condition) && filterUses(object, trigger.condition)) return true;
  // The trigger's event is about its object, or (an event trigger without one) the object its type names.
  const triggerAbout = object === null && trigger.kind === 'event' ? eventIsAbout(trigger.eventType, field.object) : object === field.object;
  /** The waits whose received event (their output) is about the field's object, by id. */
  const waitsAbout = new Set<string>();
  const pending = [...listOf(stored.steps)];
  const steps: Json[] = [];
  while (pending.length) {
    const step = pending.pop();
    if (!isObject(step)) continue;
    pending.push(...innerSteps(step));
    steps.push(step);
    if (step.kind === 'waitForEvent' && typeof step.id === 'string' && eventIsAbout(step.eventType, field.object)) waitsAbout.add(step.id);
  }
  const readsChange = ({ path }: { path: string }) => {
    const read = /^(?:trigger|steps\.([^.]+)\.output)\.event\.payload\.changes\.([A-Za-z_]\w*)/.exec(path);
    if (read?.[2] !== field.name) return false;
    return read[1] === undefined ? triggerAbout : waitsAbout.has(read[1]);
  };
  if (templatePaths(stored.steps, '').some(readsChange)) return true;
  for (const step of steps) {
    const tests = [step.if, ...listOf(step.cases).map((c) => (isObject(c) ? c.when : null))];
    if (tests.some((test) => isValueCondition(test) && reads(test.value))) return true;
    const conditions = tests.filter((c) => isObject(c) && !isValueCondition(c)) as Json[];
    if (object && conditions.some((condition) => filterUses(object, condition))) return true;
    if (step.kind === 'createRecord' && step.object === field.object && writes(step.values)) return true;
    if (step.kind === 'waitForEvent' && isObject(step.where) && typeof step.where.value === 'string' && eventIsAbout(step.eventType, field.object)) {
      if ([...step.where.value.matchAll(EVENT_CHANGE_TEMPLATE)].some(([, , name]) => name === field.name)) return true;
    }
    if (step.kind === 'updateRecord' && !step.relation && step.record === undefined && object === field.object && writes(step.values)) return true;
    if (step.kind === 'updateRecord' && step.record !== undefined && step.object === field.object && writes(step.values)) return true;
    if (step.kind === 'updateRecord' && typeof step.relation === 'string' && object) {
      // Through a relation: the values (and a to-many relation's `where`) are of the related object.
      const target = targetOf(object, step.relation);
      if (target === field.object && (writes(step.values) || (isObject(step.where) && filterUses(target, step.where)))) return true;
    }
  }
  return false;
}

/** The workspace's workflows whose draft or published version names the field. */
export async function workflowsUsing(field: FieldInQuestion, context: FieldUsersContext<unknown>): Promise<FieldUser[]> {
  const workflows = await context.tx.workflow.findMany({ select: { id: true, name: true, draft: true, publishedVersionId: true }, orderBy: { name: 'asc' } });
  const published = workflows.flatMap((w) => (w.publishedVersionId ? [w.publishedVersionId] : []));
  const versions = published.length ? await context.tx.workflowVersion.findMany({ where: { id: { in: published } }, select: { id: true, definition: true } }) : [];
  const definitionOf = new Map(versions.map((v) => [v.id, v.definition]));
  return workflows
    .filter((w) => [w.draft, w.publishedVersionId ? definitionOf.get(w.publishedVersionId) : null].some((d) => definitionUses(d, field, context)))
    .map((w) => ({ type: 'Workflow', id: w.id, name: w.name }));
}
