// Every committed event (the SDK's `'*'` subscriber) is matched against the enabled workflows' published versions:
// record triggers by the record change the event stands for (the SDK's one rule), event triggers by type; then
// the optional field change (from/to) and condition. A match starts a run in this same transaction, keyed by the
// event id, so a second delivery of the event starts nothing. A workflow's own changes do not set it off again unless
// it allows it, and chains stop at the depth limit: an event is a step's change when its actor is the step, or when
// the step began the causal chain it is part of (`causedBy`, stamped by the SDK's host through any plugin's
// subscribers: the step logs an activity, another plugin's subscriber emits an event about it). The same event also
// resumes the runs waiting for it (`waitForEvent`).
// The host delivers the events that arrive together in one transaction (`context.batch`): what they all need — the
// workflows listening to any of them, the steps waiting for any of them — is read once, on the first, in one
// statement, and the runs they start are written together after the last, in one statement sent with the COMMIT. Each
// sequential round trip of this transaction adds to the latency of every event in the lane behind it: after the
// marks, a batch that starts runs waits on four (the lookup; the run starts' lock, an erasure's guard; the trigger
// records with the admission's lock and count; the runs with the COMMIT).
// A version that names a custom object or field (`workspaceModel`) is matched, tested and read with the workspace's
// own definitions (read once per batch, only when such a version listens, or a conditional wait's event changes a core
// object's custom fields, which its `where` may read by name): `contract.created` is a record change of the custom
// object `Contract`, and a condition may test custom fields.
import type { DeliveredEvent, FilterNode, RecordChange, RecordObjects, SubscriberContext } from '@crm/plugin-sdk';
import type { WorkflowDefinition } from '../definition/document.js';
import { sameValue, storedTriggerValues } from '../definition/trigger-values.js';
import { readsTrash, recordRelations, triggerCondition, triggerObject } from '../definition/validate.js';
import { admitStarting, limitsChanged, releaseHeldRuns, type Starting } from '../runs/admission.js';
import { databaseClock, type DatabaseClock } from '../runs/database-clock.js';
import { erasedEventsIn, keptErasures, NO_ERASURES } from '../runs/erased-events.js';
import { lockRunStarts, type RunStart, startRunsAtCommit } from '../runs/start-run.js';
import { withPieces } from '../runs/sql-pieces.js';
import { resumedWaits, resumeWaitsFor, type WaitCandidates } from '../runs/wait-for-event.js';
import { BATCH_ACTOR } from '../runs/step-actor.js';
import { eventHolds } from '../steps/value-condition.js';
import { changedValues, changeOfField, changesJsonColumn, type FieldChange, payloadByName } from '../field-changes.js';
import { type CheckedVersion, versionOf } from '../runs/versions.js';
import type { WorkflowSettings } from '../settings.js';

const STEP_ACTOR = /^plugin:workflows:step:([0-9a-f-]{36})$/;

/** The step run that set the event off: its actor, or the actor that began its causal chain (`causedBy`). */
export const stepOf = (event: Pick<DeliveredEvent, 'actor' | 'causedBy'>): string | undefined =>
  STEP_ACTOR.exec(event.actor)?.[1] ?? (event.causedBy ? STEP_ACTOR.exec(event.causedBy)?.[1] : undefined);
/** Signed by a claimed batch, not one of its steps: a change its steps shared, no workflow's own (step-actor.ts). */
const sharedByBatch = (event: Pick<DeliveredEvent, 'actor'>) => event.actor === `plugin:workflows:${BATCH_ACTOR}`;

function triggerMatches(definition: WorkflowDefinition, event: DeliveredEvent, change: RecordChange | null, objects: RecordObjects): boolean {
  const t = definition.trigger;
  if (t.kind === 'event') return t.eventType === event.type;
  if (t.kind !== 'record' || !change || change.object !== t.object || change.change !== t.on) return false;
  return changeMatches(t, change, objects);
}

/**
 * Whether a record trigger's change of its object passes its `fields` and from/to (the dry run asks it of a sample):
 * from/to in the events' form (definition/trigger-values.ts: older versions' put in it on load), compared as their field's kind.
 */
export function changeMatches(t: Extract<WorkflowDefinition['trigger'], { kind: 'record' }>, change: RecordChange, objects: Pick<RecordObjects, 'catalog' | 'parseFilter'>): boolean {
  if (t.on !== 'updated' || !t.fields) return true;
  const changed = t.fields.map((field) => changeOfField(objects, change, field)).filter((c): c is FieldChange => c !== null);
  if (!changed.length) return false;
  if (t.from === undefined && t.to === undefined) return true;
  const { from, to } = changed[0]!;
  const field = objects.catalog.get(change.object).fields.get(t.fields[0]!);
  const wanted = storedTriggerValues(objects, t);
  return (t.from === undefined || sameValue(field, wanted.from, from)) && (t.to === undefined || sameValue(field, wanted.to, to));
}

/** A published version listening to one of the batch's trigger keys, checked (its definition read once per process). */
interface ListeningVersion {
  workflowId: string;
  triggerKey: string;
  checked: CheckedVersion;
}

/** What a batch of events needs, read once. */
interface BatchLookup {
  /** The waiting steps each event of the batch may end (its condition holds), by event id (runs/wait-for-event.ts `resumedWaits`). */
  resumes: Map<string, string[]>;
  /** Each waiting step with the batch's events that may end it, in order: the first not left out does (erased-events.ts). */
  waits: { step: string; events: string[] }[];
  /** Published versions of enabled workflows whose trigger key is one of the batch's. */
  versions: ListeningVersion[];
  /** Events whose step-row writes (a wait ended, held runs released) wait for the batch's end. */
  stepWrites: DeliveredEvent[];
  /** Runs to start when the batch's last event is handled, with how to read their trigger's record. */
  starts: { start: RunStart; record: RecordToRead | null }[];
  /** The workspace's own object model, read once for the batch when a version needs it. */
  workspaceObjects?: Promise<RecordObjects> | undefined;
  /** The database's, from the lookup's time: a resumed wait is due at it (claims compare with its clock). */
  clock: DatabaseClock;
}

/** A trigger's record, read for all runs of the batch at once (`readMany`), as of the batch's end. */
interface RecordToRead {
  object: string;
  id: string;
  relations: readonly string[];
  trashed: boolean;
  /** What reads it: the workspace's definitions (a custom object's record, custom values) or the declared objects. */
  objects: RecordObjects;
  /** Whether `objects` are the workspace's definitions (each event's context has its own declared objects). */
  workspaceModel: boolean;
}

const lookups = new WeakMap<readonly DeliveredEvent[], Promise<BatchLookup>>();

/**
 * The trigger keys an event may set off. A subject the declared objects do not know may be a custom object's
 * (`Contract`): its key is looked up too, and the workspace's definitions say whether it is a record change.
 */
const triggerKeysOf = (event: DeliveredEvent, change: RecordChange | null, objects: RecordObjects) => [
  `event:${event.type}`,
  ...(change ? [`record:${change.object}`] : objects.catalog.has(event.subjectType) ? [] : [`record:${event.subjectType}`]),
];

function lookupFor(context: SubscriberContext<WorkflowSettings>): Promise<BatchLookup> {
  let found = lookups.get(context.batch);
  if (!found) {
    found = (async () => {
      const { tx, objects, batch, sql } = context;
      const keys = [...new Set(batch.flatMap((event) => triggerKeysOf(event, objects.changeOf(event), objects)))];
      // One statement: the waits the events end, and the listening versions without their definitions (a version's
      // definition is read once per process: versionOf).
      const [found] = await withPieces(sql)<{ resumedWaits: WaitCandidates[]; versions: { id: string; workflowId: string; triggerKey: string }[]; readAt: Date }>`
        SELECT ${resumedWaits(batch)} AS "resumedWaits", statement_timestamp() AS "readAt",
               (SELECT coalesce(json_agg(json_build_object('id', v.id, 'workflowId', v."workflowId", 'triggerKey', v."triggerKey")), '[]')
                FROM "Workflow" w JOIN "WorkflowVersion" v ON v.id = w."publishedVersionId"
                WHERE w.enabled AND v."triggerKey" = ANY(${keys}::text[])) AS "versions"`;
      const clock = databaseClock(found!.readAt);
      const versions: ListeningVersion[] = [];
      for (const { id, workflowId, triggerKey } of found!.versions) versions.push({ workflowId, triggerKey, checked: await versionOf(tx, id) });
      const resumes = new Map<string, string[]>();
      const waits: BatchLookup['waits'] = [];
      // Each wait ends with the first of its events (by seq) for which its condition holds and which is not left out
      // (chosen at the batch's end, once the erasures are read); none: it waits on.
      const delivered = new Map(batch.map((event) => [event.id, event]));
      // A condition may read a core object's custom field by name (`changes.tier`): when a conditional wait's event
      // changes custom fields, the workspace's definitions name them (read once for the batch, shared with the versions).
      let workspaceObjects: Promise<RecordObjects> | undefined;
      const customChanges = found!.resumedWaits.some(({ where, events }) =>
        where !== null && events.some((id) => {
          const change = delivered.has(id) ? objects.changeOf(delivered.get(id)!) : null;
          return change !== null && changesJsonColumn(objects, change);
        }));
      const waitObjects = customChanges ? await (workspaceObjects = objects.inWorkspace(tx, batch[0]!.workspaceId)) : objects;
      for (const { step, events, where } of found!.resumedWaits) {
        const holding = events.filter((id) => delivered.has(id) && eventHolds(where, delivered.get(id)!, waitObjects));
        for (const id of holding) resumes.set(id, [...(resumes.get(id) ?? []), step]);
        if (holding.length) waits.push({ step, events: holding });
      }
      return { resumes, waits, versions, stepWrites: [], starts: [], workspaceObjects, clock };
    })();
    lookups.set(context.batch, found);
  }
  return found;
}

export async function startWorkflowsFor(event: DeliveredEvent, context: SubscriberContext<WorkflowSettings>): Promise<void> {
  const { tx } = context;
  const lookup = await lookupFor(context);
  // Runs waiting for this event (`waitForEvent`) go on, and runs held back by limits an ADMIN just changed look again:
  // written when the batch ends, after its admission (lock order, runs/claimed-steps.ts: the admission lock before step
  // rows, as the step transactions take them), in the events' order.
  if (lookup.resumes.has(event.id) || limitsChanged(event)) lookup.stepWrites.push(event);
  await matchWorkflows(event, context, lookup);
  if (event !== context.batch.at(-1)) return;
  const pending = lookup.starts.splice(0);
  const stepWrites = lookup.stepWrites.splice(0);
  const fromEvents = pending.length > 0 || stepWrites.some((written) => lookup.resumes.has(written.id));
  // The run starts' lock first (shared; an erasure waits for it, runs/start-run.ts) with the workspace's kept erasures
  // read under it (a raw statement: the SDK's `lock` keeps call order), one round trip; awaited, as the records' reads
  // need not be raw statements.
  const [, erasures] = fromEvents ? await Promise.all([lockRunStarts(context), keptErasures(context.sql, context.batch.map((delivered) => delivered.id))]) : [undefined, NO_ERASURES];
  // Events that name an erased person start no run and end no wait (runs/erased-events.ts): known before the records
  // are read, so theirs are not, and the admission counts the real starts only.
  const erased = erasedEventsIn(erasures);
  const leftOut = new Set(fromEvents ? context.batch.filter(erased).map((delivered) => delivered.id) : []);
  const starting = pending.filter(({ start }) => !leftOut.has(start.triggerId));
  // Then the trigger records and the admission (its lock, then its count), sent together: one round trip. The
  // admission's count answers the database's time too: the runs start, and their first steps are due, at it.
  const [starts, admission]: [RunStart[], Starting | null] = starting.length ? await Promise.all([withRecords(context, starting), admitStarting(context, starting.length)]) : [[], null];
  // Each wait ends with the first of its events not left out.
  const resumes = new Map<string, string[]>();
  for (const { step, events } of lookup.waits) {
    const id = events.find((event) => !leftOut.has(event));
    if (id) resumes.set(id, [...(resumes.get(id) ?? []), step]);
  }
  // Held runs released first: through the admission lock, before any step row is written (lock order).
  if (stepWrites.some(limitsChanged)) await releaseHeldRuns(context);
  for (const written of stepWrites) if (!leftOut.has(written.id)) await resumeWaitsFor(tx, written, resumes.get(written.id) ?? [], lookup.clock.now());
  // The runs are the transaction's last write: they go with its COMMIT.
  if (starts.length) await startRunsAtCommit(context, starts, admission!);
}

/** Fills the runs' trigger records in: one `readMany` per object (and relations read, and trash), not one per run. */
async function withRecords(context: SubscriberContext<WorkflowSettings>, starts: BatchLookup['starts']): Promise<RunStart[]> {
  const groups = new Map<string, RecordToRead[]>();
  for (const { record } of starts) {
    if (!record) continue;
    const key = JSON.stringify([record.object, record.relations, record.trashed, record.workspaceModel]);
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  const read = new Map<RecordToRead, Record<string, unknown> | null>();
  for (const group of groups.values()) {
    const { object, relations, trashed, objects } = group[0]!;
    const records = await objects.readMany(context.tx, object, [...new Set(group.map((r) => r.id))], { relations, trashed });
    for (const record of group) read.set(record, records.get(record.id) ?? null);
  }
  return starts.map(({ start, record }) => ({ ...start, trigger: { ...start.trigger, record: record ? (read.get(record) ?? null) : null } }));
}

async function matchWorkflows(event: DeliveredEvent, context: SubscriberContext<WorkflowSettings>, lookup: BatchLookup): Promise<void> {
  const { tx, settings } = context;
  const keys = triggerKeysOf(event, context.objects.changeOf(event), context.objects);
  // The trigger itself first (with the version's object model): a step's tag change (`customer.updated`) under a
  // "customer created" workflow reads no step.
  const versions: { version: ListeningVersion; objects: RecordObjects }[] = [];
  for (const version of lookup.versions) {
    if (!keys.includes(version.triggerKey)) continue;
    const objects = version.checked.workspaceModel ? await (lookup.workspaceObjects ??= context.objects.inWorkspace(tx, event.workspaceId)) : context.objects;
    if (triggerMatches(version.checked.definition, event, objects.changeOf(event), objects)) versions.push({ version, objects });
  }
  if (!versions.length) return;

  // Set off by a workflow's step, directly or through other plugins' subscribers: which workflow, and how deep the
  // chain already is.
  const stepRunId = stepOf(event);
  const parent = stepRunId
    ? await tx.workflowStepRun.findUnique({ where: { id: stepRunId }, select: { run: { select: { workflowId: true, depth: true } } } })
    : null;
  const depth = parent ? parent.run.depth + 1 : 0;
  const own = parent && !sharedByBatch(event) ? parent.run.workflowId : undefined;
  const eligible = versions.filter(({ version }) => own !== version.workflowId || version.checked.definition.options.allowSelfTrigger);
  const firing = await conditionsHeld(event, tx, eligible);
  if (depth > settings.maxDepth) {
    // A trace where an ADMIN looks (`events(types: ["workflow.depth_limit_reached"])`, and the log), not a run row:
    // one event per cut, written with this transaction, naming the workflows that would have run.
    const cut = firing.map((v) => v.version.workflowId);
    if (!cut.length) return;
    console.warn(`workflows: depth limit ${settings.maxDepth} reached in workspace ${event.workspaceId}: ${event.type} ${event.id} starts none of ${cut.join(', ')}`);
    context.emit('workflow.depth_limit_reached', { type: 'Workflow', id: parent!.run.workflowId }, { maxDepth: settings.maxDepth, eventId: event.id, eventType: event.type, workflowIds: cut });
    return;
  }

  for (const { version, objects } of firing) {
    const { definition } = version.checked;
    const object = triggerObject(definition);
    const recordId = object && object === event.subjectType ? event.subjectId : null;
    const deleted = readsTrash(definition);
    lookup.starts.push({
      start: {
        workflowId: version.workflowId,
        version: version.checked,
        triggerId: event.id,
        trigger: {
          event: { id: event.id, type: event.type, actor: event.actor, occurredAt: event.occurredAt.toISOString(), subjectType: event.subjectType, subjectId: event.subjectId, payload: payloadByName(objects, event) as object },
          record: null,
        },
        recordType: recordId ? object : null,
        recordId,
        depth,
      },
      record: recordId ? { object: object!, id: recordId, relations: recordRelations(definition, objects), trashed: deleted, objects, workspaceModel: version.checked.workspaceModel } : null,
    });
  }
}

/**
 * Of `candidates` (whose trigger matched the event), those whose condition holds on the event's record: each tested
 * after the change (one statement each); those that fire only when the record starts to match tested as it was before
 * too — the record with the change's `from` values, rebuilt in one read-only statement for all of them on the same
 * object model (`objects.matchesAsIf`). A change with no `from` values left the record as it is: it matched before.
 */
async function conditionsHeld<T extends { version: ListeningVersion; objects: RecordObjects }>(event: DeliveredEvent, tx: object, candidates: readonly T[]): Promise<T[]> {
  const held = new Set<T>();
  const entering = new Map<RecordObjects, { candidate: T; filter: FilterNode }[]>();
  for (const candidate of candidates) {
    const { definition } = candidate.version.checked;
    const condition = triggerCondition(definition);
    if (!condition) {
      held.add(candidate);
      continue;
    }
    const object = triggerObject(definition);
    if (!object || object !== event.subjectType) continue;
    const { objects } = candidate;
    const filter = objects.parseFilter(object, condition, 'condition');
    if (!(await objects.matches(tx, object, event.subjectId, filter, { trashed: readsTrash(definition) }))) continue;
    if (definition.trigger.kind === 'record' && definition.trigger.onlyWhenConditionBecomesTrue) entering.set(objects, [...(entering.get(objects) ?? []), { candidate, filter }]);
    else held.add(candidate);
  }
  for (const [objects, tests] of entering) {
    const change = objects.changeOf(event);
    const values = change ? changedValues(objects, change, 'from') : {};
    if (!Object.keys(values).length) continue;
    const before = await objects.matchesAsIf(tx, event.subjectType, event.subjectId, tests.map((t) => t.filter), { workspaceId: event.workspaceId, values });
    tests.forEach(({ candidate }, i) => {
      if (!before[i]) held.add(candidate);
    });
  }
  return candidates.filter((candidate) => held.has(candidate));
}
