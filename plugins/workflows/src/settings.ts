import { z } from '@crm/plugin-sdk';
import { DEFAULT_SENDER, senderProblem } from './mail/addresses.js';

/** Per-workspace limits of the workflows plugin (ADMIN keys change them with `updatePluginSettings`). */
export const workflowSettings = z.object({
  /** Runs executing a step at once in the workspace; more wait their turn (waiting runs do not count). */
  maxConcurrentRuns: z.number().int().min(1).max(1000).default(20),
  /**
   * Runs started (let out of the queue) per minute in the workspace; more wait QUEUED (`heldBack: RATE_LIMIT`) and
   * start as the minute's window frees up, none is dropped. Null: no rate limit.
   */
  maxRunsPerMinute: z.number().int().min(1).max(1_000_000).nullable().default(null),
  /** How long a chain of workflows setting each other off may get (a run set off by a run's change is one deeper). */
  maxDepth: z.number().int().min(0).max(20).default(5),
  /** Tries of a step that fails for a passing reason (an HTTP error, a conflict) before the run fails. */
  stepAttempts: z.number().int().min(1).max(10).default(3),
  /** Wait before the second try; doubles at each further try. */
  retryBackoffMs: z.number().int().min(0).max(3_600_000).default(2000),
  /**
   * Days a finished run (succeeded, failed, cancelled) stays in the history, with its trigger snapshot and its steps'
   * input and output; older ones are deleted (runs/retention.ts). Runs not finished are kept whatever their age.
   * Null: kept forever (what workspaces that existed before retention got, so an upgrade deletes nothing).
   */
  historyDays: z.number().int().min(1).max(3650).nullable().default(30),
  /**
   * Sender (`From`) of `sendEmail` steps: one address, optionally with a name (`Acme <crm@acme.example>`), on a domain
   * the operator allows (`WORKFLOWS_EMAIL_FROM_DOMAINS`): checked on save and at send (mail/sender-check.ts), not here.
   */
  emailFrom: z
    .string()
    .max(254)
    .superRefine((sender, context) => {
      const problem = senderProblem(sender);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .default(DEFAULT_SENDER),
});

export type WorkflowSettings = z.output<typeof workflowSettings>;
