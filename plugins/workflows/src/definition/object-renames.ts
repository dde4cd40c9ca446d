// A custom object renamed (`customObjectRenamed`, in `renameCustomObject`'s transaction): the drafts and published
// versions naming it follow — a trigger's object (and so its key, `record:Agreement`), event types of its records
// (`contract.created` → `agreement.created`, a trigger's and `waitForEvent`'s), `createRecord`'s and `updateRecord`'s object — and runs
// under way carry the new name for their record, and steps waiting for an event of its records wait for its new type.
// So its events go on matching, and the API shows the new name.
import type { ObjectRename, OwnCondition, OwnRows, PluginLock, ScopedTransaction } from '@crm/plugin-sdk';
import { formerTypesOf, RENAMES_LOCK, waitKeyOf } from '../runs/wait-for-event.js';
import type { WorkflowDefinition } from './document.js';
import { triggerKeyOf } from './validate.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A rename's rewrite of a waiting step applies only while the step still waits (`rows`' `onlyIf`, checked on the row as
 * committed): one its event or timeout ended after the rename read it keeps its key cleared (field-renames.ts too).
 */
export const STILL_WAITING: Readonly<Record<string, OwnCondition>> = { status: 'WAITING', waitKey: { not: null } };

/** An event type of the object's records under its new name (`contract.updated` → `agreement.updated`); others as they are. */
const renamedEventType = (type: string, rename: ObjectRename) => (type.startsWith(`${rename.fromEvents}.`) ? `${rename.toEvents}${type.slice(rename.fromEvents.length)}` : type);

/** `stored` naming the object by its new name (the same object when it does not name it). */
export function definitionForObject(stored: unknown, rename: ObjectRename): unknown {
  if (!isObject(stored)) return stored;
  const eventType = (value: unknown) => (typeof value === 'string' ? renamedEventType(value, rename) : value);
  const step = (raw: unknown): unknown => {
    if (!isObject(raw)) return raw;
    const out: Json = { ...raw };
    for (const branch of ['then', 'else', 'default', 'onTimeout']) if (Array.isArray(out[branch])) out[branch] = (out[branch] as unknown[]).map(step);
    if (out.do !== undefined) out.do = step(out.do);
    if (Array.isArray(out.cases)) out.cases = out.cases.map((c) => (isObject(c) && Array.isArray(c.steps) ? { ...c, steps: c.steps.map(step) } : c));
    if ((out.kind === 'createRecord' || out.kind === 'updateRecord') && out.object === rename.from) out.object = rename.to;
    if (out.kind === 'waitForEvent') out.eventType = eventType(out.eventType);
    return out;
  };
  const trigger = isObject(stored.trigger) ? { ...stored.trigger } : stored.trigger;
  if (isObject(trigger)) {
    if (trigger.object === rename.from) trigger.object = rename.to;
    if (trigger.kind === 'event') trigger.eventType = eventType(trigger.eventType);
  }
  const renamed = { ...stored, trigger, steps: Array.isArray(stored.steps) ? stored.steps.map(step) : stored.steps };
  return JSON.stringify(renamed) === JSON.stringify(stored) ? stored : renamed;
}

/**
 * The workspace's drafts, versions (naming custom objects only when `workspaceModel`) and runs under way, renamed: a
 * step waiting for an event of its records waits for the renamed type (its input's `eventType` and its `waitKey`), or
 * its events would end it only at its timeout. Read with one statement per table and written with one for all
 * (`rows.write`), whatever the number of rows; a waiting step's `eventType` is merged into its input (`merge`), as a
 * field's rename merges its `where` (field-renames.ts), so a step transaction's look-back writing `sinceSeq` meanwhile
 * and the rename each keep what the other wrote.
 */
export async function renameObjectInWorkflows(rename: ObjectRename, context: { tx: ScopedTransaction; rows: OwnRows; lock: PluginLock }): Promise<string[]> {
  const { tx } = context;
  // Before any read: a wait beginning now commits first, and its step is read below (runs/wait-for-event.ts).
  await context.lock(RENAMES_LOCK);
  const now = new Date();
  const drafts: { id: string; draft: unknown; updatedAt: Date }[] = [];
  for (const workflow of await tx.workflow.findMany({ select: { id: true, draft: true } })) {
    const draft = definitionForObject(workflow.draft, rename);
    // Stamped as Prisma's update stamped it: an editor holding the old draft is told it changed (`expectedUpdatedAt`).
    if (draft !== workflow.draft) drafts.push({ id: workflow.id, draft, updatedAt: now });
  }
  const versions: { id: string; definition: unknown; triggerKey: string | null }[] = [];
  for (const version of await tx.workflowVersion.findMany({ where: { workspaceModel: true }, select: { id: true, definition: true } })) {
    const definition = definitionForObject(version.definition, rename);
    if (definition !== version.definition) versions.push({ id: version.id, definition, triggerKey: triggerKeyOf(definition as WorkflowDefinition) });
  }
  const waiting: { id: string; input: Json; waitKey: string; dueAt: Date }[] = [];
  const awaited = { kind: 'waitForEvent', status: 'WAITING' as const, waitKey: { startsWith: `${rename.fromEvents}.` } };
  for (const step of await tx.workflowStepRun.findMany({ where: awaited, select: { id: true, input: true, startedAt: true, dueAt: true } })) {
    if (!isObject(step.input) || typeof step.input.eventType !== 'string' || typeof step.input.subjectId !== 'string') continue;
    const eventType = renamedEventType(step.input.eventType, rename);
    if (eventType === step.input.eventType) continue;
    // An event of the old type recorded before this commit may still be on its way (a subscriber's backlog): delivered,
    // it no longer matches the wait's key. The step keeps the old type (`renamedFrom`, its look-back takes either) and is
    // due at once — at its start, a time of the database's clock already past — so that its look finds such an event.
    const renamedFrom = [...formerTypesOf(step.input), step.input.eventType];
    const dueAt = step.startedAt ?? step.dueAt ?? now;
    waiting.push({ id: step.id, input: { eventType, renamedFrom }, waitKey: waitKeyOf(eventType, step.input.subjectId), dueAt });
  }
  const writes = [
    { update: 'Workflow', rows: drafts },
    { update: 'WorkflowVersion', rows: versions },
    // Not a wait that ended since the read above: given its key again, a second event would resume it.
    { update: 'WorkflowStepRun', rows: waiting, merge: ['input'], onlyIf: STILL_WAITING },
  ];
  await context.rows.write(writes.filter((write) => write.rows.length));
  // A run's record is named by its object: steps to come read and write it under the new name.
  await tx.workflowRun.updateMany({ where: { recordType: rename.from }, data: { recordType: rename.to } });
  return versions.map((version) => version.id);
}
