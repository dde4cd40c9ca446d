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

type Renamed = { id: string; input: Json; waitKey: string; subjectId: string; oldType: string; sinceSeq: bigint | null; startedAt: Date | null };

/**
 * The renamed steps' rows, those with an event of their old type recorded after what they last saw also made due at
 * once (their start, a time of the database's clock already past): such an event may still be in a subscriber's lane,
 * and delivered it no longer matches the wait's new key, so the step's look-back (which takes either type) finds it.
 * One read of those events for all the steps (the `("workspaceId", "subjectId", seq)` index), none when no step is
 * renamed; the others are not woken (a wake is a look-back each: a statement per step).
 */
async function withBacklog(tx: ScopedTransaction, steps: readonly Renamed[]) {
  if (!steps.length) return [];
  const bound = steps.reduce<bigint | null>((least, step) => (step.sinceSeq === null || (least !== null && least < step.sinceSeq) ? least : step.sinceSeq), null);
  const unbounded = steps.some((step) => step.sinceSeq === null);
  const events = await tx.event.findMany({
    where: { subjectId: { in: [...new Set(steps.map((step) => step.subjectId))] }, type: { in: [...new Set(steps.map((step) => step.oldType))] }, ...(unbounded || bound === null ? {} : { seq: { gt: bound } }) },
    select: { subjectId: true, type: true, seq: true },
  });
  // The latest event of each subject and type, built once: a step is behind if that one is after what it saw
  // (not a scan of the events per step, inside the rename's transaction holding its locks).
  const latest = new Map<string, bigint | null>();
  for (const e of events) {
    const key = `${e.type}:${e.subjectId}`;
    const known = latest.get(key);
    // An event without `seq` (not numbered yet) counts as the newest.
    if (known === undefined || (known !== null && (e.seq === null || e.seq > known))) latest.set(key, e.seq);
  }
  const woken: Json[] = [];
  const asleep: Json[] = [];
  for (const { id, input, waitKey, subjectId, oldType, sinceSeq, startedAt } of steps) {
    const last = latest.get(`${oldType}:${subjectId}`);
    // A step without `sinceSeq` (written before it existed) is woken: its look starts from its run's start.
    const behind = sinceSeq === null || (last !== undefined && (last === null || last > sinceSeq));
    if (behind && startedAt) woken.push({ id, input, waitKey, dueAt: startedAt });
    else asleep.push({ id, input, waitKey });
  }
  // Two shapes, two writes (one update's rows set the same columns: a row leaving `dueAt` out would write it NULL).
  return [woken, asleep].filter((rows) => rows.length) as (Json & { id: string })[][];
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
  const waiting: Renamed[] = [];
  const awaited = { kind: 'waitForEvent', status: 'WAITING' as const, waitKey: { startsWith: `${rename.fromEvents}.` } };
  for (const step of await tx.workflowStepRun.findMany({ where: awaited, select: { id: true, input: true, startedAt: true } })) {
    const input = step.input;
    if (!isObject(input) || typeof input.eventType !== 'string' || typeof input.subjectId !== 'string') continue;
    const eventType = renamedEventType(input.eventType, rename);
    if (eventType === input.eventType) continue;
    // The step keeps the old type (`renamedFrom`, a list across renames): its look-back takes either (below).
    const renamed = { eventType, renamedFrom: [...formerTypesOf(input), input.eventType] };
    const sinceSeq = typeof input.sinceSeq === 'string' && /^\d+$/.test(input.sinceSeq) ? BigInt(input.sinceSeq) : null;
    waiting.push({ id: step.id, input: renamed, waitKey: waitKeyOf(eventType, input.subjectId), subjectId: input.subjectId, oldType: input.eventType, sinceSeq, startedAt: step.startedAt });
  }
  const writes = [
    { update: 'Workflow', rows: drafts },
    { update: 'WorkflowVersion', rows: versions },
    // Not a wait that ended since the read above: given its key again, a second event would resume it.
    ...(await withBacklog(tx, waiting)).map((rows) => ({ update: 'WorkflowStepRun', rows, merge: ['input'], onlyIf: STILL_WAITING })),
  ];
  await context.rows.write(writes.filter((write) => write.rows.length));
  // A run's record is named by its object: steps to come read and write it under the new name.
  await tx.workflowRun.updateMany({ where: { recordType: rename.from }, data: { recordType: rename.to } });
  return versions.map((version) => version.id);
}
