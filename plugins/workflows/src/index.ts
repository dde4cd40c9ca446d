// Workflow automation, built only on the public SDK: a workspace writes down what should happen when records change,
// events happen, a schedule fires or a person asks, and the plugin does it durably (steps in the database, shared
// by every gateway instance, surviving restarts). See docs/plugins/workflows.md.
import { definePlugin, type Plugin } from '@crm/plugin-sdk';
import { renameInWorkflows } from './definition/field-renames.js';
import { renameObjectInWorkflows } from './definition/object-renames.js';
import { workflowsUsing } from './definition/field-users.js';
import { workflowEvents } from './events.js';
import { registerBulkCancel } from './graphql/bulk-cancel.js';
import { registerDefinitionMutations } from './graphql/definition-mutations.js';
import { registerDryRun } from './graphql/dry-run.js';
import { registerRunOperations } from './graphql/run-operations.js';
import { registerSecretMutations } from './graphql/secret-mutations.js';
import { registerWorkflowTypes } from './graphql/types.js';
import { registerWorkflowList } from './graphql/workflow-list.js';
import { checkSavedSender } from './mail/sender-check.js';
import { type MailTransport, smtpTimeoutFromEnv, transportFromEnv } from './mail/transport.js';
import { workflowPersonalData } from './personal-data.js';
import { stepExecutor } from './runs/execute-step.js';
import { scrubErasure } from './runs/erasure-scrub.js';
import { HISTORY_EVERY_MS, pruneHistory } from './runs/retention.js';
import { forgetVersion } from './runs/versions.js';
import { seedWorkflows } from './seed.js';
import { workflowSettings } from './settings.js';
import { workflowInterest } from './triggers/interest.js';
import { startWorkflowsFor } from './triggers/on-event.js';
import { type DateScanOptions, dateScanner } from './triggers/date-field.js';
import { fireSchedules } from './triggers/schedule.js';
import { receiveWebhook } from './triggers/webhook.js';

export interface WorkflowsOptions {
  /** How `sendEmail` steps send. @default SMTP at `WORKFLOWS_SMTP_URL`, else none (those steps fail) */
  mail?: MailTransport;
  /** How long a claimed step stays away from other instances (a step left by a dead gateway is retried after it). @default 60000 */
  leaseMs?: number;
  /** How often an idle instance looks for due steps (it is also woken when runs start). @default 500 */
  pollMs?: number;
  /** Date triggers' scan: records per page and pages per scan (tests make them small). */
  dateScan?: DateScanOptions;
}

/** The plugin, with its mail transport and timings chosen (tests pass a test transport and short leases). */
export function workflowsPlugin(options: WorkflowsOptions = {}): Plugin {
  let mail = options.mail ?? null;
  // The SMTP transport is made at the first email, but a bad WORKFLOWS_SMTP_TIMEOUT_MS refuses the start.
  if (!mail) smtpTimeoutFromEnv();
  const leaseMs = options.leaseMs ?? 60_000;
  const steps = stepExecutor(() => (mail ??= transportFromEnv()), leaseMs);
  return definePlugin({
    id: 'workflows',
    version: '1.0.0',
    description: 'Workflow automation: triggers on records, events, schedules, dates and webhooks; durable runs of steps.',
    requires: { core: '^0.1.0' },
    prisma: new URL('../prisma/schema', import.meta.url),
    migrations: new URL('../prisma/migrations', import.meta.url),
    settings: workflowSettings,
    permissions: {
      manage: { roles: ['ADMIN'], description: 'Create, edit, publish, enable and test workflows; read and act on their runs' },
      run: { roles: ['MEMBER', 'ADMIN'], description: 'Start a workflow on a record by hand' },
    },
    events: workflowEvents,
    graphql(builder, plugin) {
      registerWorkflowTypes(builder, plugin);
      registerDefinitionMutations(builder, plugin);
      registerSecretMutations(builder, plugin);
      registerRunOperations(builder, plugin);
      registerBulkCancel(builder, plugin);
      registerWorkflowList(builder, plugin);
      registerDryRun(builder, plugin);
    },
    // Delivered only what a workflow of the workspace listens to or may wait for (triggers/interest.ts).
    // An `emailFrom` saved on a domain the operator does not allow is refused (mail/sender-check.ts).
    hooks: { 'plugin.settings_updated': { checkSender: (event, { settings }) => checkSavedSender(event.payload, settings) } },
    subscribers: { '*': { startWorkflows: { handle: startWorkflowsFor, interest: workflowInterest } } },
    queues: {
      steps: {
        model: 'WorkflowStepRun',
        // Each claimed step comes with its run: the step transactions lock the runs without reading them first.
        group: 'runId',
        leaseMs,
        pollMs: options.pollMs ?? 500,
        // A claimed batch costs a few statements per wave whatever its size (step-waves.ts): under load, claims of 16
        // made the queue the wait (docs/performance.md, session 11).
        batch: 64,
        workers: 4,
        handle: steps.executeStep,
        handleBatch: steps.executeSteps,
      },
      // Erasures searching run history for runs that name the erased person, a bounded batch a pass.
      // Whatever the switch: an erasure's scrub and its kept row's deletion are a person's data going (runs/erasure-scrub.ts).
      erasures: { model: 'WorkflowErasure', batch: 1, pollMs: options.pollMs ?? 1000, whileSwitchedOff: true, handle: scrubErasure },
    },
    jobs: {
      fireSchedules: { everyMs: 5000, run: fireSchedules },
      scanDates: { everyMs: 30_000, transaction: 'per-call', run: dateScanner(options.dateScan) },
      // Finished runs older than the workspace's `historyDays`, in bounded batches (runs/retention.ts).
      pruneHistory: { everyMs: HISTORY_EVERY_MS, transaction: 'per-call', run: pruneHistory },
    },
    routes: { hooks: { maxBodyBytes: 256 * 1024, limitRefusals: true, handle: receiveWebhook } },
    seed: seedWorkflows,
    // Run history holds customers' data in its snapshots: merged, exported and erased with them (personal-data.ts).
    personalData: workflowPersonalData,
    // A custom field a workflow names cannot be deleted from under it without `force` (docs/plugins/workflows.md).
    fieldUsers: workflowsUsing,
    // A custom field renamed: the drafts and versions naming it follow (their planned copies in this process too).
    fieldRenamed: async (field, context) => {
      for (const id of await renameInWorkflows(field, context)) forgetVersion(id);
    },
    // A custom object renamed: the drafts, versions and runs under way naming it follow (docs/plugins/workflows.md).
    customObjectRenamed: async (rename, context) => {
      for (const id of await renameObjectInWorkflows(rename, context)) forgetVersion(id);
    },
  });
}

/** `WORKFLOWS_LEASE_MS` and `WORKFLOWS_POLL_MS` tune the step queue of the bundled plugin (operators, tests). */
function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkflowsOptions {
  const number = (value: string | undefined) => (value && /^\d+$/.test(value.trim()) ? Number(value) : undefined);
  const leaseMs = number(env.WORKFLOWS_LEASE_MS);
  const pollMs = number(env.WORKFLOWS_POLL_MS);
  return { ...(leaseMs ? { leaseMs } : {}), ...(pollMs ? { pollMs } : {}) };
}

export const workflows = workflowsPlugin(optionsFromEnv());
export default workflows;
export { testTransport, smtpTransport, type MailMessage, type MailTransport } from './mail/transport.js';
export { demoWorkflows } from './seed.js';
