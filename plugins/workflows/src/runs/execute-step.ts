// The queue handler: one claimed step of a run. Database-only steps run and complete in one transaction (a crash
// leaves neither their change nor their completion, so the retry is safe). HTTP and email run between two
// transactions: the first marks the step RUNNING, the second records the outcome; a step found RUNNING by a later
// claim (the gateway died in between) is sent again only when idempotent. Waits are a due time, nothing in memory.
import type { QueueContext, QueueItem } from '@crm/plugin-sdk';
import type { MailTransport } from '../mail/transport.js';
import type { WorkflowSettings } from '../settings.js';
import { externalSteps, internalSteps, PermanentStepError } from '../steps/step-kinds.js';
import { stepInput } from '../steps/step-input.js';
import { completeStep, failStep } from './advance.js';
import { templateScopeOf } from './template-scope.js';
import { checkedVersion } from './versions.js';

const FINISHED_STEP = new Set(['SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED']);
const FINISHED_RUN = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
/** Failures that trying again cannot fix: the data is wrong, gone, or not allowed. */
const PERMANENT_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'CONFLICT_PERMANENT']);
/** How soon a run held back by the concurrency limit looks again. */
const QUEUED_RETRY_MS = 500;

/** The actor of a step's changes: events it causes name it, so triggers can tell a workflow's own changes. */
export const stepActor = (stepRunId: string) => `step:${stepRunId}`;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const isPermanent = (error: unknown) =>
  error instanceof PermanentStepError || PERMANENT_CODES.has(String((error as { code?: unknown } | null)?.code ?? ''));

interface ExternalWork {
  kind: 'httpRequest' | 'sendEmail';
  input: Record<string, unknown>;
  runId: string;
  workflowId: string;
  stepId: string;
  secret: string;
  emailFrom: string;
}

export function stepExecutor(mail: () => MailTransport) {
  return async function executeStep(item: QueueItem, context: QueueContext<WorkflowSettings>): Promise<void> {
    let input: Record<string, unknown> | undefined;
    let external: ExternalWork | null = null;
    try {
      external = await context.transaction(
        async (scope) => {
          const { tx } = scope;
          const step = await tx.workflowStepRun.findUnique({
            where: { id: item.id },
            include: { run: { include: { version: true, workflow: { select: { secret: true } } } } },
          });
          if (!step || step.claims !== item.claims) return null; // a later claim owns it now
          const { run } = step;
          const now = new Date();
          if (FINISHED_STEP.has(step.status) || FINISHED_RUN.has(run.status)) {
            const cancel = run.status === 'CANCELLED' && !FINISHED_STEP.has(step.status);
            await tx.workflowStepRun.update({ where: { id: step.id }, data: { dueAt: null, ...(cancel ? { status: 'CANCELLED', finishedAt: now } : {}) } });
            return null;
          }
          if (run.status === 'QUEUED') {
            // The workspace's concurrency limit, counted under a lock so that two instances cannot both pass it.
            await scope.lock('concurrency');
            const running = await tx.workflowRun.count({ where: { status: 'RUNNING' } });
            if (running >= scope.settings.maxConcurrentRuns) {
              await tx.workflowStepRun.update({ where: { id: step.id }, data: { dueAt: new Date(now.getTime() + QUEUED_RETRY_MS) } });
              return null;
            }
            await tx.workflowRun.update({ where: { id: run.id }, data: { status: 'RUNNING' } });
          }
          const { plan } = checkedVersion(run.version);
          const planned = plan.steps.get(step.stepId)!;
          const scopeOfTemplates = await templateScopeOf(tx, run);
          input = stepInput(planned.step, scopeOfTemplates, { now, recordType: run.recordType, recordId: run.recordId });

          switch (planned.step.kind) {
            case 'condition': {
              const filter = scope.objects.parseFilter(run.recordType ?? '', planned.step.if, 'if');
              const matched = run.recordId !== null && (await scope.objects.matches(tx, run.recordType!, run.recordId, filter));
              const branch = matched ? 'then' : 'else';
              await completeStep(tx, step, plan, { input: { if: planned.step.if }, output: { branch }, branch, counted: false }, now);
              return null;
            }
            case 'wait': {
              // A wait computes its end once (a duration counts from when it started), then keeps it.
              const stored = step.status === 'WAITING' ? (step.input as { until?: string } | null)?.until : undefined;
              if (stored) input = { until: stored };
              const until = new Date(String(input.until));
              if (Number.isNaN(until.getTime())) throw new PermanentStepError(`until: not a date: ${JSON.stringify(input.until)}`);
              if (until > now) {
                // The first look: the step waits as a due time (no timer, no memory), the run shows WAITING.
                const first = step.status !== 'WAITING';
                await tx.workflowStepRun.update({
                  where: { id: step.id },
                  data: { status: 'WAITING', dueAt: until, input: { until: until.toISOString() }, ...(first ? { startedAt: now, attempts: step.attempts + 1 } : {}) },
                });
                await tx.workflowRun.update({ where: { id: run.id }, data: { status: 'WAITING' } });
                return null;
              }
              await completeStep(tx, step, plan, { input, output: { until: until.toISOString() }, counted: step.status === 'WAITING' }, now);
              return null;
            }
            case 'httpRequest':
            case 'sendEmail': {
              const kind = planned.step.kind;
              if (step.status === 'RUNNING' && !externalSteps[kind]!.idempotent) {
                // It may have been sent before the gateway stopped: sending again could send twice.
                await failStep(
                  tx,
                  step,
                  { message: 'Interrupted while sending; not sent again because this step is not idempotent', permanent: true, counted: true, input },
                  scope.settings,
                  now,
                );
                return null;
              }
              await tx.workflowStepRun.update({ where: { id: step.id }, data: { status: 'RUNNING', attempts: step.attempts + 1, startedAt: step.startedAt ?? now, input: input as object } });
              return { kind, input, runId: run.id, workflowId: run.workflowId, stepId: step.stepId, secret: run.workflow.secret, emailFrom: scope.settings.emailFrom };
            }
            default: {
              const output = await internalSteps[planned.step.kind]!(input, { tx, commands: scope.commands, actions: scope.actions, recordType: run.recordType });
              await completeStep(tx, step, plan, { input, output, counted: false }, now);
              return null;
            }
          }
        },
        { actor: stepActor(item.id) },
      );
    } catch (error) {
      // The step's transaction rolled back: nothing it did is kept. Record the try in a transaction of its own.
      await recordFailure(item, context, error, { counted: false, input });
      return;
    }
    if (!external) return;

    let output: Record<string, unknown>;
    try {
      output = await externalSteps[external.kind]!.send(external.input, {
        http: context.http,
        mail: mail(),
        secret: external.secret,
        emailFrom: external.emailFrom,
        idempotencyKey: `${external.runId}:${external.stepId}`,
        runId: external.runId,
        workflowId: external.workflowId,
        stepId: external.stepId,
      });
    } catch (error) {
      await recordFailure(item, context, error, { counted: true, input: external.input });
      return;
    }
    await context.transaction(
      async ({ tx }) => {
        const step = await tx.workflowStepRun.findUnique({ where: { id: item.id }, include: { run: { include: { version: true } } } });
        if (!step || step.claims !== item.claims || step.status !== 'RUNNING') return;
        await completeStep(tx, step, checkedVersion(step.run.version).plan, { input: external!.input, output, counted: true });
      },
      { actor: stepActor(item.id) },
    );
  };
}

async function recordFailure(item: QueueItem, context: QueueContext<WorkflowSettings>, error: unknown, options: { counted: boolean; input: unknown }) {
  await context.transaction(
    async ({ tx, settings }) => {
      const step = await tx.workflowStepRun.findUnique({ where: { id: item.id } });
      if (!step || step.claims !== item.claims || FINISHED_STEP.has(step.status)) return;
      await failStep(tx, step, { message: messageOf(error), permanent: isPermanent(error), counted: options.counted, input: options.input }, settings);
    },
    { actor: stepActor(item.id) },
  );
}
