// `testWorkflow(id, recordId, sample)`: the draft, checked as publishing would, walked against a record without writing
// anything (reads only, outside any transaction): first whether the trigger would fire for it (its condition on the
// record; for an `updated` trigger with fields or from/to, the change given as `sample`), and if not why; then each
// step's input as it would be, the branch a condition takes, and in words what the step would do (an action with its
// description and resolved input). Event and webhook triggers take `sample` as their event's payload
// (`trigger.event.payload.*`). Outputs of steps that would create something are not known yet (null).
import { badInput, type Builder, notFound, type RecordChange, rowId } from '@crm/plugin-sdk';
import type { PlannedStep } from '../definition/plan.js';
import { stepOutputs } from '../definition/step-outputs.js';
import { checkDefinition, definitionObjects, recordRelations, triggerKeyOf, triggerObject } from '../definition/validate.js';
import type { TemplateScope } from '../definition/templates.js';
import { describeEffect } from '../steps/step-kinds.js';
import { stepInput } from '../steps/step-input.js';
import { changeMatches } from '../triggers/on-event.js';
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
            'The trigger’s event as the dry run assumes it: for event and webhook triggers its payload (`trigger.event.payload`); for a record `updated` trigger the change, `{ "<field>": { "from": …, "to": … } }`.',
        }),
      },
      resolve: async (_root, args, context) => {
        const caller = plugin.authorize(context, 'manage');
        const db = caller.db;
        const workflow = await workflowIn({ tx: db as never }, String(args.id));
        const objects = await definitionObjects(plugin.objects, db, caller.session.workspaceId);
        const { definition, plan } = checkDefinition(workflow.draft, { objects, actions: plugin.actions, events: plugin.events, permissions: context.permissions });
        const object = triggerObject(definition);
        let record: Record<string, unknown> | null = null;
        let recordId: string | null = null;
        if (object) {
          if (!args.recordId) throw badInput(`recordId: the trigger is on ${object}: give one of its records`, 'recordId');
          recordId = rowId(String(args.recordId), object, 'recordId');
          record = await objects.read(db, object, recordId, { relations: recordRelations(definition, objects) });
          if (!record) throw notFound(object, 'recordId');
        }
        const now = new Date();
        const t = definition.trigger;
        const sample = args.sample ?? undefined;
        if (sample !== undefined && (sample === null || typeof sample !== 'object' || Array.isArray(sample))) throw badInput('sample: a JSON object', 'sample');
        let said: string;
        if (t.kind === 'record' && t.on === 'updated' && t.fields) {
          const wanted = `${t.fields.join(' or ')} changes${t.from !== undefined ? ` from ${JSON.stringify(t.from)}` : ''}${t.to !== undefined ? ` to ${JSON.stringify(t.to)}` : ''}`;
          if (sample === undefined) said = `assumed: ${wanted} (give sample to test a change)`;
          else {
            const change = sampleChange(t.object, sample as Record<string, unknown>);
            if (!changeMatches(t, change, objects)) return { wouldTrigger: false, trigger: `would not fire: it fires when ${wanted}; the sample changes ${describeChanges(change)}`, steps: [] };
            said = `fires: ${wanted}, as the sample does`;
          }
        } else said = `fires: ${triggerKeyOf(definition)}`;
        const condition = t.kind === 'record' || t.kind === 'event' || t.kind === 'date' ? t.condition : undefined;
        if (condition && object && recordId) {
          const filter = objects.parseFilter(object, condition, 'trigger.condition');
          const deleted = t.kind === 'record' && t.on === 'deleted';
          if (!(await objects.matches(db, object, recordId, filter, { trashed: deleted }))) {
            return { wouldTrigger: false, trigger: `would not fire: the record does not match the trigger's condition ${JSON.stringify(condition)}`, steps: [] };
          }
          said += '; the record matches its condition';
        }
        const event = t.kind === 'schedule' || t.kind === 'manual' || t.kind === 'date' ? null : {
          id: 'dry-run',
          type: t.kind === 'event' ? t.eventType : t.kind === 'webhook' ? 'webhook.received' : `${object!.charAt(0).toLowerCase()}${object!.slice(1)}.${t.on}`,
          actor: caller.session.actor,
          occurredAt: now.toISOString(),
          subjectType: t.kind === 'webhook' ? 'Workflow' : object,
          subjectId: t.kind === 'webhook' ? workflow.id : recordId,
          payload: t.kind === 'record' ? (sample === undefined ? {} : { changes: sample }) : (sample ?? {}),
        };
        const scope: TemplateScope = { trigger: { event, record }, steps: {} };
        const steps: DryRunStep[] = [];
        const inputContext = {
          now,
          recordType: object,
          recordId,
          relationOf: (name: string) => {
            const relation = object ? objects.catalog.get(object).relations.get(name) : undefined;
            return relation ? { object: objects.catalog.target(relation).name, key: relation.key } : null;
          },
        };
        const test = async (filter: Record<string, unknown>, at: string) => objects.matches(db, object!, recordId!, objects.parseFilter(object!, filter, at));
        for (let id: string | null = plan.first; id; ) {
          const planned: PlannedStep = plan.steps.get(id)!;
          const { step, next, branches } = planned;
          if (step.kind === 'condition' || step.kind === 'switch') {
            let branch = step.kind === 'condition' ? ((await test(step.if, 'if')) ? 'then' : 'else') : 'default';
            if (step.kind === 'switch') {
              for (const [i, c] of step.cases.entries()) {
                if (await test(c.when, `cases.${i}.when`)) {
                  branch = c.name;
                  break;
                }
              }
            }
            const input = stepInput(step, scope, inputContext);
            const effect = step.kind === 'condition' ? `the record ${branch === 'then' ? 'matches' : 'does not match'}: ${branch}` : `the record takes the case ${branch}`;
            steps.push({ stepId: step.id, kind: step.kind, input, effect, branch });
            scope.steps[step.id] = { output: { branch } };
            id = branches[branch] ?? next;
            continue;
          }
          const input = stepInput(step, scope, inputContext);
          if (step.kind === 'forEach') {
            // Each item's would-be input; the effect names the first.
            const items = Array.isArray(input.items) ? input.items.slice(0, step.max) : [];
            const each = items.map((item, index) => stepInput(step.do, { ...scope, item, index }, inputContext));
            input.each = each;
            input.effect = each.length ? describeEffect(step.do.kind, each[0]!) : 'nothing (no items)';
          }
          const branch = step.kind === 'waitForEvent' ? 'received' : null;
          const action = step.kind === 'callAction' ? plugin.actions.find((a) => a.name === step.action) : undefined;
          const effect = describeEffect(step.kind, input) + (action?.description ? ` (${action.description})` : '');
          steps.push({ stepId: step.id, kind: step.kind, input, effect, branch });
          const keys = stepOutputs[step.kind] ?? [];
          scope.steps[step.id] = { output: Object.fromEntries(keys.map((key) => [key, step.kind === 'wait' && key === 'until' ? input.until : null])) };
          id = branch ? (branches[branch] ?? next) : next;
        }
        return { wouldTrigger: true, trigger: said, steps };
      },
    }),
  );
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
