// The workflow types: definitions with their versions, runs with each step's input, output, error and timing.
import { type Builder, globalId } from '@crm/plugin-sdk';
import { webhookPath } from '../triggers/webhook.js';
import { manageOnly, passSummary, workflowTypeAccess } from './access.js';
import type { WorkflowToolkit } from './toolkit.js';

const MAX_RUNS = 100;

export const runStatuses = ['QUEUED', 'RUNNING', 'WAITING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

const makeRunStatus = (builder: Builder) => builder.enumType('WorkflowRunStatus', { values: runStatuses });
const runStatusEnums = new WeakMap<Builder, ReturnType<typeof makeRunStatus>>();

/** The `WorkflowRunStatus` enum of a schema (made once per builder): runs' `status` and the history's filter by it. */
export function workflowRunStatus(builder: Builder): ReturnType<typeof makeRunStatus> {
  let ref = runStatusEnums.get(builder);
  if (!ref) runStatusEnums.set(builder, (ref = makeRunStatus(builder)));
  return ref;
}

/**
 * Registers the types; other modules refer to them by model name (`t.prismaField({ type: 'Workflow' })`). Who reads
 * which of their fields is declared here, on the types (access.ts): `manage` everything, a run-only key the summary of
 * the runs it starts.
 */
export function registerWorkflowTypes(builder: Builder, plugin: WorkflowToolkit): void {
  const guarded = workflowTypeAccess(plugin);
  const RunStatus = workflowRunStatus(builder);
  const RunHold = builder.enumType('WorkflowRunHold', {
    description: 'Why a QUEUED run has not started yet.',
    values: {
      CONCURRENCY: { description: 'The workspace runs maxConcurrentRuns runs at once already.' },
      RATE_LIMIT: { description: 'The workspace started maxRunsPerMinute runs in the last minute.' },
    } as const,
  });
  const StepStatus = builder.enumType('WorkflowStepStatus', {
    values: ['PENDING', 'RUNNING', 'WAITING', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED'] as const,
  });

  builder.prismaNode('WorkflowVersion', {
    id: { field: 'id' },
    description: 'A published, immutable definition; a run finishes on the version it started on.',
    ...guarded,
    fields: (t) => ({
      number: t.exposeInt('number'),
      definition: t.expose('definition', { type: 'JSON', ...manageOnly }),
      trigger: t.exposeString('triggerKey', { description: 'What it listens to: record:Customer, event:deal.lost, schedule, manual:Customer, date:Deal.expectedCloseAt' }),
      publishedAt: t.expose('publishedAt', { type: 'DateTime' }),
    }),
  });

  builder.prismaObject('WorkflowStepRun', {
    description: 'One step of a run: what it was given, what it did or why it failed, and when.',
    ...guarded,
    fields: (t) => ({
      id: t.exposeID('id'),
      stepId: t.exposeString('stepId'),
      kind: t.exposeString('kind'),
      status: t.expose('status', { type: StepStatus }),
      attempts: t.exposeInt('attempts'),
      input: t.expose('input', { type: 'JSON', nullable: true, ...manageOnly }),
      output: t.expose('output', { type: 'JSON', nullable: true, ...manageOnly }),
      error: t.exposeString('error', { nullable: true, ...manageOnly }),
      dueAt: t.expose('dueAt', { type: 'DateTime', nullable: true, description: 'When it runs (or a wait ends), while it has not finished.' }),
      startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
      finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
      durationMs: t.exposeInt('durationMs', { nullable: true }),
    }),
  });

  builder.prismaNode('WorkflowRun', {
    id: { field: 'id' },
    ...guarded,
    fields: (t) => ({
      workflow: t.relation('workflow', passSummary),
      version: t.relation('version', passSummary),
      status: t.expose('status', { type: RunStatus }),
      triggerId: t.exposeString('triggerId', { description: 'The event id (or schedule:<time>, manual:<id>, rerun:<id>) the run answers: one run per version and trigger.' }),
      recordId: t.id({ nullable: true, resolve: (r) => (r.recordId && r.recordType ? globalId(r.recordType, r.recordId) : null) }),
      recordType: t.exposeString('recordType', { nullable: true }),
      trigger: t.expose('trigger', { type: 'JSON', description: 'The event and the record as of the trigger.', ...manageOnly }),
      depth: t.exposeInt('depth'),
      rerunOf: t.id({ nullable: true, resolve: (r) => (r.rerunOfId ? globalId('WorkflowRun', r.rerunOfId) : null) }),
      error: t.exposeString('error', { nullable: true, ...manageOnly }),
      startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the run was created (its trigger).' }),
      admittedAt: t.expose('admittedAt', { type: 'DateTime', nullable: true, description: 'When it left the queue under the workspace’s limits.' }),
      heldBack: t.expose('heldBack', { type: RunHold, nullable: true, description: 'While QUEUED: the limit it waits for (null: only a worker).' }),
      finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
      steps: t.relation('steps', { ...passSummary, query: { orderBy: [{ seq: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }] } }),
    }),
  });

  builder.prismaNode('Workflow', {
    id: { field: 'id' },
    description: 'An automation: a trigger and steps. Edit the draft, publish it as a version, enable it.',
    ...guarded,
    fields: (t) => ({
      name: t.exposeString('name'),
      enabled: t.exposeBoolean('enabled'),
      draft: t.expose('draft', { type: 'JSON', description: 'The definition being edited (checked when published).', ...manageOnly }),
      signingSecret: t.exposeString('secret', {
        ...manageOnly,
        description: 'Signs its HTTP requests (x-crm-signature), as webhooks are signed. Outgoing only: it does not authorize calls to the webhook URL. rotateWorkflowSigningSecret replaces it.',
      }),
      nextFireAt: t.expose('nextFireAt', { type: 'DateTime', nullable: true, ...manageOnly }),
      webhookPath: t.string({
        ...manageOnly,
        nullable: true,
        description:
          'Webhook triggers (the published version’s or the draft’s): the path to POST to on this gateway. It holds the URL token, which alone authorizes a call: keep it secret (rotateWorkflowWebhookUrl replaces it; see docs/plugins/workflows.md).',
        // The live URL is the published version's: a draft that drops the webhook trigger does not hide it.
        resolve: async (w, _args, context) => {
          if ((w.draft as { trigger?: { kind?: string } } | null)?.trigger?.kind === 'webhook') return webhookPath(w);
          const published = w.publishedVersionId ? await context.db!.workflowVersion.findUnique({ where: { id: w.publishedVersionId }, select: { triggerKey: true } }) : null;
          return published?.triggerKey === 'webhook' ? webhookPath(w) : null; // a webhook trigger's key (triggerKeyOf)
        },
      }),
      datesScannedUntil: t.expose('scannedUntil', {
        ...manageOnly,
        type: 'DateTime',
        nullable: true,
        description: 'Date triggers: records whose point came up to this time have been started (null: not a date trigger, or disabled).',
      }),
      publishedVersion: t.prismaField({
        ...manageOnly,
        type: 'WorkflowVersion',
        nullable: true,
        resolve: (query, w, _args, context) => (w.publishedVersionId ? context.db!.workflowVersion.findUnique({ ...query, where: { id: w.publishedVersionId } }) : null),
      }),
      versions: t.relation('versions', { ...manageOnly, query: { orderBy: { number: 'desc' } } }),
      runs: t.relation('runs', {
        ...manageOnly,
        args: { first: t.arg.int({ defaultValue: 20 }), status: t.arg({ type: RunStatus }) },
        query: (args) => ({
          where: args.status ? { status: args.status } : {},
          orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
          take: Math.min(Math.max(args.first ?? 20, 0), MAX_RUNS),
        }),
      }),
      archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true, description: 'When it was archived (archiveWorkflow); null: it is not.', ...manageOnly }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    }),
  });
}
