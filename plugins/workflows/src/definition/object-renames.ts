// A custom object renamed (`customObjectRenamed`, in `renameCustomObject`'s transaction): the drafts and published
// versions naming it follow — a trigger's object (and so its key, `record:Agreement`), event types of its records
// (`contract.created` → `agreement.created`, a trigger's and `waitForEvent`'s), `createRecord`'s and `updateRecord`'s object — and runs
// under way carry the new name for their record. So its events go on matching, and the API shows the new name.
import type { ObjectRename, ScopedTransaction } from '@crm/plugin-sdk';
import type { WorkflowDefinition } from './document.js';
import { triggerKeyOf } from './validate.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `stored` naming the object by its new name (the same object when it does not name it). */
export function definitionForObject(stored: unknown, rename: ObjectRename): unknown {
  if (!isObject(stored)) return stored;
  const eventType = (value: unknown) => (typeof value === 'string' && value.startsWith(`${rename.fromEvents}.`) ? `${rename.toEvents}${value.slice(rename.fromEvents.length)}` : value);
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

/** The workspace's drafts, versions (naming custom objects only when `workspaceModel`) and runs under way, renamed. */
export async function renameObjectInWorkflows(rename: ObjectRename, tx: ScopedTransaction): Promise<string[]> {
  for (const workflow of await tx.workflow.findMany({ select: { id: true, draft: true } })) {
    const draft = definitionForObject(workflow.draft, rename);
    if (draft !== workflow.draft) await tx.workflow.update({ where: { id: workflow.id }, data: { draft: draft as object } });
  }
  const changed: string[] = [];
  for (const version of await tx.workflowVersion.findMany({ where: { workspaceModel: true }, select: { id: true, definition: true } })) {
    const definition = definitionForObject(version.definition, rename);
    if (definition === version.definition) continue;
    await tx.workflowVersion.update({ where: { id: version.id }, data: { definition: definition as object, triggerKey: triggerKeyOf(definition as WorkflowDefinition) } });
    changed.push(version.id);
  }
  // A run's record is named by its object: steps to come read and write it under the new name.
  await tx.workflowRun.updateMany({ where: { recordType: rename.from }, data: { recordType: rename.to } });
  return changed;
}
