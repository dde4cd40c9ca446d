// `testWorkflow(id, recordId, sample)`: the draft, checked as publishing would, walked against a record without writing
// anything (reads only; a sample change is applied to the record inside a read): first whether the trigger would fire for it (its condition on the
// record — for an `updated` trigger with the change given as `sample` applied, as live; its fields or from/to tested
// on that change; the event a record trigger's change is announced by, as live), and if not why; then each
// step's input as it would be, the branch a condition takes, and in words what the step would do (an action with its
// description and resolved input). Event and webhook triggers take `sample` as their event's payload
// (`trigger.event.payload.*`). Outputs of steps that would create something are not known yet (null).
import { badInput, type Builder, CrmError, type EventCatalog, includingTrashed, manualMembershipChange, notFound, type RecordAccess, type RecordChange, recordEventObject, rowId, type ScopedTransaction } from '@crm/plugin-sdk';
import type { PlannedStep } from '../definition/plan.js';
import { stepOutputs } from '../definition/step-outputs.js';
import { isValueCondition } from '../definition/value-condition.js';
import { checkDefinition, definitionObjects, readsTrash, recordRelations, triggerCondition, triggerKeyOf, triggerObject, triggerRecordFilter } from '../definition/validate.js';
import type { TemplateScope } from '../definition/templates.js';
import { checkRunInput, loopItems } from '../steps/command-inputs.js';
import { describeEffect } from '../steps/step-kinds.js';
import { checkSegmentSteps, isSegmentStep, segmentsIn } from '../definition/segment-steps.js';
import { segmentId, StepValueError } from '../steps/input-values.js';
import { isRecordId } from '../runs/wait-for-event.js';
import { relationsOf, stepInput } from '../steps/step-input.js';
import { valueHolds } from '../steps/value-condition.js';
import { changeMatches } from '../triggers/on-event.js';
import { changedValues, changesAsWritten, payloadByName } from '../field-changes.js';
import { workflowIn } from './definition-mutations.js';
import type { WorkflowToolkit } from './toolkit.js';

interface DryRunResult {
  wouldTrigger: boolean;
  trigger: string;
  steps: DryRunStep[];
}

interface DryRunStep {
  stepId: string;
  kind: string;
  input: unknown;
  effect: string;
  branch: string | null;
}

export function registerDryRun(builder: Builder, plugin: WorkflowToolkit) {
  const DryRunStepType = builder.objectRef<DryRunStep>('WorkflowDryRunStep').implement({
    fields: (t) => ({
      stepId: t.exposeString('stepId'),
      kind: t.exposeString('kind'),
      input: t.expose('input', { type: 'JSON', description: 'The step’s input with templates filled in from the record.' }),
      effect: t.exposeString('effect', { description: 'What the step would do.' }),
      branch: t.exposeString('branch', { nullable: true, description: 'Conditions and switches: the branch the record takes; waits for an event: received (assumed).' }),
    }),
  });
  const DryRun = builder.objectRef<DryRunResult>('WorkflowDryRun').implement({
    fields: (t) => ({
      wouldTrigger: t.exposeBoolean('wouldTrigger', { description: 'Whether the trigger would fire for this record (and sample); when not, `steps` is empty.' }),
      trigger: t.exposeString('trigger', { description: 'What the dry run checked or assumed of the trigger, and why it would not fire when it would not.' }),
      steps: t.field({ type: [DryRunStepType], resolve: (r) => r.steps }),
    }),
  });

  builder.queryField('testWorkflow', (t) =>
    t.field({
      type: DryRun,
      description: 'Runs the draft against a record as a dry run: nothing is written, each step’s would-be effect is returned (ADMIN).',
      args: {
        id: t.arg.id({ required: true }),
        recordId: t.arg.id(),
        sample: t.arg({
          type: 'JSON',
          description:
            'The trigger’s event as the dry run assumes it: for event, webhook and record `created`/`deleted` triggers its payload (`trigger.event.payload`); for a record `updated` trigger the change, `{ "<field>": { "from": …, "to": … } }` (applied to the record before its condition is tested).',
        }),
      },
      resolve: async (_root, args, context) => {
        const caller = plugin.authorize(context, 'manage');
        const db = caller.db;
        const workflow = await workflowIn({ tx: db as never }, String(args.id));
        const objects = await definitionObjects(plugin.objects, db, caller.session.workspaceId);
        const { definition, plan } = checkDefinition(workflow.draft, { objects, actions: plugin.actions, events: plugin.events, permissions: context.permissions });
        await checkSegmentSteps(segmentsIn(db), plan);
        const object = triggerObject(definition);
        const t = definition.trigger;
        const deleted = readsTrash(definition);
        let record: Record<string, unknown> | null = null;
        let recordId: string | null = null;
        if (object) {
          if (!args.recordId) throw badInput(`recordId: the trigger is on ${object}: give one of its records`, 'recordId');
          recordId = rowId(String(args.recordId), object, 'recordId');
          // A `deleted` trigger's record is in the trash: the live trigger reads it there too.
          record = await objects.read(db, object, recordId, { relations: recordRelations(definition, objects), trashed: deleted });
          if (!record) throw notFound(object, 'recordId');
        }
        const now = new Date();
        const sample = args.sample ?? undefined;
        if (sample !== undefined && (sample === null || typeof sample !== 'object' || Array.isArray(sample))) throw badInput('sample: a JSON object', 'sample');
        let said: string;
        // An update's sample change: what the live trigger's event would carry, applied before its condition is tested.
        const change = t.kind === 'record' && t.on === 'updated' && sample !== undefined ? sampleChange(t.object, sample as Record<string, unknown>) : null;
        if (t.kind === 'record' && t.on === 'updated' && t.fields) {
          const wanted = `${t.fields.join(' or ')} changes${t.from !== undefined ? ` from ${JSON.stringify(t.from)}` : ''}${t.to !== undefined ? ` to ${JSON.stringify(t.to)}` : ''}`;
          if (!change) said = `assumed: ${wanted} (give sample to test a change)`;
          else {
            if (!changeMatches(t, change, objects)) return { wouldTrigger: false, trigger: `would not fire: it fires when ${wanted}; the sample changes ${describeChanges(change)}`, steps: [] };
            said = `fires: ${wanted}, as the sample does`;
          }
        } else said = `fires: ${triggerKeyOf(definition)}`;
        // A record trigger fires on the event its object's change is announced by (the SDK's `changeOf`, as live): for an
        // update, those that carry the sample's fields (all of them), else any of the trigger's `fields`.
        const recordEvents = t.kind === 'record' ? recordEventTypes(objects, plugin.events, t.object, t.on, change ? Object.keys(change.changes!) : (t.fields ?? []), change !== null) : [];
        const recordEvent = recordEvents[0] ?? null;
        if (t.kind === 'record' && !recordEvent) {
          return { wouldTrigger: false, trigger: `would not fire: no event announces a ${t.on} ${t.object} record`, steps: [] };
        }
        if (recordEvent) said += `; announced by ${recordEvents.join(' or ')}`;
        // The rule runs by hand use too (`triggerRecordFilter`): the condition, and a date trigger's date set.
        const condition = triggerRecordFilter(definition);
        if (condition && object && recordId) {
          const filter = objects.parseFilter(object, condition, 'trigger.condition');
          // Live, the condition is tested after the change committed: here on the record with the sample's `to` values
          // (and before it, with its `from` values), the row rebuilt in a read: nothing is written.
          const asIf = (values: Record<string, unknown>) =>
            sampleTested(async () => (await objects.matchesAsIf(db, object, recordId!, [filter], { workspaceId: caller.session.workspaceId, values, trashed: deleted }))[0]!);
          const matched = change ? await asIf(changedValues(objects, change, 'to')) : await objects.matches(db, object, recordId, filter, { trashed: deleted });
          if (!matched) {
            if (t.kind === 'date' && record && (record[t.field] === null || record[t.field] === undefined)) {
              return { wouldTrigger: false, trigger: `would not fire: the record's ${t.field} is empty`, steps: [] };
            }
            const applied = change ? ' (with the sample change applied)' : '';
            return { wouldTrigger: false, trigger: `would not fire: the record${applied} does not match the trigger's condition ${JSON.stringify(triggerCondition(definition))}`, steps: [] };
          }
          said += change ? '; the record, with the sample change, matches its condition' : '; the record matches its condition';
          if (t.kind === 'record' && t.onlyWhenConditionBecomesTrue) {
            // As live: not when the record matched before the change too (with the `from` values the sample gives).
            const given = change ? Object.entries(change.changes!).filter(([field]) => 'from' in ((sample as Record<string, object>)[field] ?? {})) : [];
            if (!given.length) said += '; assumed: it did not match before the change (give sample, with `from` values, to test it)';
            else if (await asIf(changedValues(objects, { ...change!, changes: Object.fromEntries(given) }, 'from'))) {
              return { wouldTrigger: false, trigger: `would not fire: the record matched the trigger's condition before the change too (onlyWhenConditionBecomesTrue)`, steps: [] };
            } else said += ', and did not before it';
          }
        }
        const event = t.kind === 'schedule' || t.kind === 'manual' || t.kind === 'date' ? null : {
          id: 'dry-run',
          type: t.kind === 'event' ? t.eventType : t.kind === 'webhook' ? 'webhook.received' : recordEvent!,
          actor: caller.session.actor,
          occurredAt: now.toISOString(),
          subjectType: t.kind === 'webhook' ? 'Workflow' : object,
          subjectId: t.kind === 'webhook' ? workflow.id : recordId,
          // An update's payload carries its change, as core writes it and a live run reads it (`payloadByName`: a
          // custom field's change in its JSON column and by name); other events' payload is the sample as given.
          payload: change ? payloadByName(objects, { type: recordEvent!, subjectType: change.object, payload: { changes: changesAsWritten(objects, change) } }) : (sample ?? {}),
        };
        const scope: TemplateScope = { trigger: { event, record }, steps: {} };
        const steps: DryRunStep[] = [];
        /** Memberships as the segment steps walked so far would leave them (`<segment>:<customer>`). */
        const memberships = new Map<string, boolean>();
        const inputContext = {
          now,
          recordType: object,
          recordId,
          relationOf: relationsOf(objects.catalog, object ?? null),
        };
        const test = async (filter: Record<string, unknown>, at: string) => objects.matches(db, object!, recordId!, objects.parseFilter(object!, filter, at), { trashed: deleted });
        for (let id: string | null = plan.first; id; ) {
          const planned: PlannedStep = plan.steps.get(id)!;
          const { step, next, branches } = planned;
          if (step.kind === 'condition' || step.kind === 'switch') {
            let branch = step.kind === 'condition' ? ((isValueCondition(step.if) ? valueHolds(step.if, scope) : await test(step.if, 'if')) ? 'then' : 'else') : 'default';
            if (step.kind === 'switch') {
              for (const [i, c] of step.cases.entries()) {
                if (isValueCondition(c.when) ? valueHolds(c.when, scope) : await test(c.when, `cases.${i}.when`)) {
                  branch = c.name;
                  break;
                }
              }
            }
            const input = stepInput(step, scope, inputContext);
            const what = step.kind === 'condition' && isValueCondition(step.if) ? `${step.if.value} ${step.if.operator} ${JSON.stringify(step.if.operand ?? null)}` : null;
            const effect =
              step.kind === 'switch' ? `it takes the case ${branch}` : what ? `${what} ${branch === 'then' ? 'holds' : 'does not hold'}: ${branch}` : `the record ${branch === 'then' ? 'matches' : 'does not match'}: ${branch}`;
            steps.push({ stepId: step.id, kind: step.kind, input, effect, branch });
            scope.steps[step.id] = { output: { branch } };
            id = branches[branch] ?? next;
            continue;
          }
          const input = stepInput(step, scope, inputContext);
          // What the run would refuse (its builders: a list where text goes, a `to` that is no address): the run fails
          // there, so the walk ends with that step and its reason.
          // A value taken from an earlier step's output is not known here (the dry run writes nothing: a created
          // record has no id yet), so a refusal of it says nothing about the run.
          // `written` is the step whose value is judged (a loop's `items`: the loop; an item's values: its `do`), the
          // error's key its path there (`values.ownerId`).
          const fromEarlierStep = (written: object, key: string) => {
            const value = key.split('.').reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), written);
            return JSON.stringify(value ?? null).includes('{{steps.');
          };
          const refused = (written: object, check: () => void) => {
            try {
              check();
              return null;
            } catch (error) {
              if (error instanceof StepValueError) return fromEarlierStep(written, error.key) ? null : error.message;
              throw error;
            }
          };
          let refusal: string | null;
          if (step.kind === 'forEach') {
            // Each item's would-be input; the effect names the first.
            const items = Array.isArray(input.items) ? input.items.slice(0, step.max) : [];
            const each = items.map((item, index) => stepInput(step.do, { ...scope, item, index }, inputContext));
            input.each = each;
            input.effect = each.length ? describeEffect(step.do.kind, each[0]!) : 'nothing (no items)';
            refusal =
              refused(step, () => loopItems(input.items, step.max)) ??
              refused(step.do, () => {
                for (const item of each) checkRunInput(step.do.kind, item, objects.catalog);
              });
          } else {
            // A segment step's effect says its own refusals (`segmentEffect`: "…, the step would fail"), and the walk goes on.
            refusal = isSegmentStep(step.kind) ? null : refused(step, () => checkRunInput(step.kind, input, objects.catalog));
          }
          if (refusal) {
            steps.push({ stepId: step.id, kind: step.kind, input, effect: `would fail: ${refusal}`, branch: null });
            break;
          }
          const branch = step.kind === 'waitForEvent' ? 'received' : null;
          const action = step.kind === 'callAction' ? plugin.actions.find((a) => a.name === step.action) : undefined;
          const effect = isSegmentStep(step.kind) ? await segmentEffect(db, step.kind, input, memberships) : describeEffect(step.kind, input) + (action?.description ? ` (${action.description})` : '');
          steps.push({ stepId: step.id, kind: step.kind, input, effect, branch });
          const keys = (action?.output ? Object.keys(action.output) : stepOutputs[step.kind]) ?? [];
          scope.steps[step.id] = { output: Object.fromEntries(keys.map((key) => [key, step.kind === 'wait' && key === 'until' ? input.until : null])) };
          id = branch ? (branches[branch] ?? next) : next;
        }
        return { wouldTrigger: true, trigger: said, steps };
      },
    }),
  );
}

/**
 * A segment step's would-be effect, read (nothing written): the segment by name, and what the step would do to the
 * customer by the command's own rule (`manualMembershipChange`: a customer in the trash cannot be added, and removing
 * one deletes the row it keeps, without `segment.left`) — as the earlier segment steps would leave the stored rows
 * (`memberships`, updated); a segment that is gone or not STATIC, or a customer that is gone, as the step would fail.
 */
async function segmentEffect(
  db: Pick<ScopedTransaction, 'segment' | 'segmentMember' | 'customer'>,
  kind: 'addToSegment' | 'removeFromSegment',
  input: Record<string, unknown>,
  memberships: Map<string, boolean>,
): Promise<string> {
  const adding = kind === 'addToSegment';
  const does = adding ? 'add the customer to the segment' : 'remove the customer from the segment';
  let id: string;
  try {
    id = segmentId(input.segment, 'segment');
  } catch (error) {
    if (!(error instanceof StepValueError)) throw error;
    return `${does}: ${error.problem}, the step would fail`;
  }
  const segment = await db.segment.findUnique({ where: { id }, select: { name: true, kind: true } });
  if (!segment) return `${does} ${id}: no such segment, the step would fail`;
  if (segment.kind !== 'STATIC') return `${does} "${segment.name}": a ${segment.kind} segment takes no members by hand, the step would fail`;
  const customerId = input.customerId;
  if (typeof customerId !== 'string' || !isRecordId(customerId)) return `${does} "${segment.name}"`;
  const customer = await db.customer.findFirst({ where: { id: customerId, ...includingTrashed }, select: { deletedAt: true } });
  if (!customer) return `${does} "${segment.name}": no such customer, the step would fail`;
  const trashed = customer.deletedAt != null;
  const key = `${id}:${customerId.toLowerCase()}`;
  const stored = memberships.get(key) ?? (await db.segmentMember.count({ where: { segmentId: id, customerId } })) > 0;
  const change = manualMembershipChange(adding, stored, trashed);
  if (change.refused) return `${does} "${segment.name}": the customer is in the trash, the step would fail`;
  memberships.set(key, adding);
  const what = change.event
    ? `they would ${adding ? 'enter' : 'leave'} it (${change.event})`
    : change.changed
      ? 'in the trash, their kept membership would go (no segment.left: they left it when trashed)'
      : adding
        ? 'a member already, nothing changes'
        : 'not a member, nothing changes';
  return `${does} "${segment.name}": ${what}`;
}

/**
 * The event types a `change` of `object`'s records is announced by, by the rule the live trigger reads events with
 * (`objects.changeOf`): the known events about `object` (core's, a plugin's, a custom object's record events) that it
 * takes for that change (`customer.trashed` for a deleted customer, `activity.logged` for a created activity), the
 * first of them; for an update, where the object's updates come with several events (the catalog's `changes`, the
 * fields their command computes them over: a stage move comes with `deal.stage_changed`, not `deal.updated`), those
 * that carry a change of the trigger's `fields` (any of them, as the trigger fires on any: `title` or `stageId` is
 * `deal.updated` or `deal.stage_changed`), or, for a sample (one event's changes), those that carry all its fields.
 * A sample whose fields no one event carries together is BAD_USER_INPUT naming `sample`: no event could bring it.
 */
function recordEventTypes(objects: RecordAccess, events: EventCatalog, object: string, change: RecordChange['change'], fields: readonly string[], sampled: boolean): string[] {
  const single = `${object.charAt(0).toLowerCase()}${object.slice(1)}`;
  const custom = ['created', 'updated', 'deleted'].map((action) => `${single}.${action}`).filter((type) => recordEventObject(type, objects.catalog.objects) === object);
  const types = [...[...events.values()].filter((e) => e.subject === object).map((e) => e.type), ...custom];
  const payload = change === 'updated' ? { changes: {} } : {};
  const announcing = types.filter((type) => objects.changeOf({ type, subjectType: object, payload })?.change === change);
  if (change !== 'updated' || !fields.length) return announcing.slice(0, 1);
  const carries = (type: string, field: string) => Boolean(events.get(type)?.changes?.includes(field));
  const carrying = announcing.filter((type) => (sampled ? fields.every((field) => carries(type, field)) : fields.some((field) => carries(type, field))));
  if (carrying.length) return carrying;
  // A sample split over several events: each of them carries only some of its fields.
  const partly = sampled ? announcing.filter((type) => fields.some((field) => carries(type, field))) : [];
  if (partly.length > 1) {
    const by = partly.map((type) => `${type} carries ${fields.filter((field) => carries(type, field)).join(', ')}`).join('; ');
    throw badInput(`sample: no one event changes ${fields.join(' and ')} together (${by}): give the changes one event carries`, 'sample');
  }
  return partly.length ? partly : announcing.slice(0, 1);
}

/** A test on the record with a sample's values: a value the record cannot take is BAD_USER_INPUT naming `sample`. */
async function sampleTested<T>(test: () => Promise<T>): Promise<T> {
  try {
    return await test();
  } catch (error) {
    if (error instanceof CrmError) throw error;
    throw badInput(`sample: the record cannot take this change (${error instanceof Error ? error.message.split('\n').at(-1) : String(error)})`, 'sample');
  }
}

/** A sample change of an `updated` trigger, `{ field: { from, to } }`, as the event's change (BAD_USER_INPUT on `sample`). */
function sampleChange(object: string, sample: Record<string, unknown>): RecordChange {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, change] of Object.entries(sample)) {
    if (!change || typeof change !== 'object' || !('to' in change)) throw badInput(`sample.${field}: a change, { "from": …, "to": … }`, `sample.${field}`);
    changes[field] = { from: (change as { from?: unknown }).from ?? null, to: (change as { to: unknown }).to };
  }
  return { object, change: 'updated', changes };
}

const describeChanges = (change: RecordChange) =>
  Object.entries(change.changes ?? {}).map(([field, c]) => `${field} from ${JSON.stringify(c.from)} to ${JSON.stringify(c.to)}`).join(', ') || 'nothing';
