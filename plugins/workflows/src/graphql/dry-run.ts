// `testWorkflow(id, recordId)`: the draft, checked as publishing would, walked against a record without writing
// anything (reads only, outside any transaction): each step's input as it would be, the branch a condition takes,
// and in words what the step would do. Outputs of steps that would create something are not known yet (null).
import { badInput, type Builder, notFound, rowId } from '@crm/plugin-sdk';
import type { PlannedStep } from '../definition/plan.js';
import { stepOutputs } from '../definition/step-outputs.js';
import { checkDefinition, definitionObjects, recordRelations, triggerObject } from '../definition/validate.js';
import type { TemplateScope } from '../definition/templates.js';
import { describeEffect } from '../steps/step-kinds.js';
import { stepInput } from '../steps/step-input.js';
import { workflowIn } from './definition-mutations.js';
import type { WorkflowToolkit } from './toolkit.js';

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
  const DryRun = builder.objectRef<{ steps: DryRunStep[] }>('WorkflowDryRun').implement({
    fields: (t) => ({ steps: t.field({ type: [DryRunStepType], resolve: (r) => r.steps }) }),
  });

  builder.queryField('testWorkflow', (t) =>
    t.field({
      type: DryRun,
      description: 'Runs the draft against a record as a dry run: nothing is written, each step’s would-be effect is returned (ADMIN).',
      args: { id: t.arg.id({ required: true }), recordId: t.arg.id() },
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
        const scope: TemplateScope = { trigger: { event: null, record }, steps: {} };
        const steps: DryRunStep[] = [];
        const now = new Date();
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
          steps.push({ stepId: step.id, kind: step.kind, input, effect: describeEffect(step.kind, input), branch });
          const keys = stepOutputs[step.kind] ?? [];
          scope.steps[step.id] = { output: Object.fromEntries(keys.map((key) => [key, step.kind === 'wait' && key === 'until' ? input.until : null])) };
          id = branch ? (branches[branch] ?? next) : next;
        }
        return { steps };
      },
    }),
  );
}
