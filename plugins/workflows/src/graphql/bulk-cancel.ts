// Cancelling a workflow's runs that have not finished, many at once (cancelWorkflowRun cancels one): after disabling
// or archiving a workflow whose runs wait by the thousand. Each call is one transaction that cancels up to
// MAX_CANCELLED runs (each run's lock is held to the end: PostgreSQL's lock table is shared and bounded) and says how
// many remain, so a client calls again until none does.
import { badInput, type Builder } from '@crm/plugin-sdk';
import { cancelRuns, UNFINISHED_RUNS } from '../runs/cancel-runs.js';
import { workflowToChange } from './definition-mutations.js';
import type { WorkflowToolkit } from './toolkit.js';
import { workflowRunStatus } from './types.js';

/** Runs cancelled per call at most: as many as runWorkflowOnRecords starts at once. */
export const MAX_CANCELLED = 1000;

export function registerBulkCancel(builder: Builder, plugin: WorkflowToolkit) {
  const Payload = builder.objectRef<{ cancelled: number; remaining: number }>('CancelWorkflowRunsPayload').implement({
    fields: (t) => ({
      cancelled: t.exposeInt('cancelled', { description: 'Runs cancelled by this call.' }),
      remaining: t.exposeInt('remaining', { description: `Runs of the statuses asked for still not cancelled (beyond ${MAX_CANCELLED} a call): call again.` }),
    }),
  });
  builder.mutationField('cancelWorkflowRuns', (t) =>
    t.field({
      type: Payload,
      description: `Cancels the workflow's runs that have not finished (all of them, or those of \`statuses\`: QUEUED, RUNNING, WAITING), oldest first, up to ${MAX_CANCELLED} a call (\`remaining\` says how many are left), as cancelWorkflowRun cancels one: a step under way finishes first, an HTTP answer that comes after is not recorded, nothing runs after. Archived workflows included (ADMIN).`,
      args: {
        input: t.arg({
          type: builder.inputType('CancelWorkflowRunsInput', {
            fields: (f) => ({ workflowId: f.id({ required: true }), statuses: f.field({ type: [workflowRunStatus(builder)] }) }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          const statuses = input.statuses?.length ? [...new Set(input.statuses)] : [...UNFINISHED_RUNS];
          const finished = statuses.find((status) => !UNFINISHED_RUNS.includes(status));
          if (finished) throw badInput(`statuses: ${finished} runs have finished; only QUEUED, RUNNING and WAITING runs are cancelled`, 'statuses');
          // The workflow's lock, as runs started by hand take it: none starts beside the cancel.
          const workflow = await workflowToChange(scope, String(input.workflowId), 'workflowId');
          const where = { workflowId: workflow.id, status: { in: statuses } };
          const picked = await scope.tx.workflowRun.findMany({ where, select: { id: true }, orderBy: [{ startedAt: 'asc' }, { id: 'asc' }], take: MAX_CANCELLED });
          const cancelled = await cancelRuns(scope, picked.map((run) => run.id), { statuses });
          const remaining = await scope.tx.workflowRun.count({ where });
          if (cancelled.length) scope.emit('workflow.runs_cancelled', { type: 'Workflow', id: workflow.id }, { count: cancelled.length, statuses });
          return { cancelled: cancelled.length, remaining };
        }),
    }),
  );
}
