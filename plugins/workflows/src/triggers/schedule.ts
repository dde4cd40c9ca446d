// Schedule triggers: a workflow's next firing time is stored (`Workflow.nextFireAt`), computed from its cron in its
// time zone by croner; a job (every few seconds, per workspace, one instance at a time) starts a run for each due
// firing, keyed `schedule:<time>` (a firing runs once), then stores the next time.
import type { JobContext, Models } from '@crm/plugin-sdk';
import { Cron } from 'croner';
import type { WorkflowDefinition } from '../definition/document.js';
import { startRun } from '../runs/start-run.js';
import { checkedVersion, type VersionRow } from '../runs/versions.js';
import type { WorkflowSettings } from '../settings.js';

/** The first firing after `after`, or null when the trigger is not a schedule (or never fires again). */
export function nextFiring(definition: WorkflowDefinition, after: Date): Date | null {
  const t = definition.trigger;
  if (t.kind !== 'schedule') return null;
  return new Cron(t.cron, { timezone: t.timeZone, paused: true }).nextRun(after);
}

/**
 * `nextFireAt` for a workflow whose published version or switch just changed: the first firing after `now`, the
 * database's time (the workflow's lock's, `lockedWorkflowAt`), as the job's `now` that fires it is.
 */
export function nextFireAtOf(workflow: Pick<Models.Workflow, 'enabled'>, version: VersionRow | null, now: Date): Date | null {
  if (!workflow.enabled || !version) return null;
  return nextFiring(checkedVersion(version).definition, now);
}

export async function fireSchedules({ tx, rows, now }: JobContext<WorkflowSettings>): Promise<void> {
  const due = await tx.workflow.findMany({ where: { enabled: true, nextFireAt: { lte: now } }, select: { id: true, nextFireAt: true, publishedVersionId: true } });
  for (const workflow of due) {
    const version = workflow.publishedVersionId ? await tx.workflowVersion.findUnique({ where: { id: workflow.publishedVersionId } }) : null;
    if (version) {
      const firedAt = workflow.nextFireAt!.toISOString();
      await startRun({ rows }, {
        workflowId: workflow.id,
        version,
        triggerId: `schedule:${firedAt}`,
        trigger: { event: null, record: null },
        recordType: null,
        recordId: null,
        depth: 0,
      });
    }
    await tx.workflow.update({ where: { id: workflow.id }, data: { nextFireAt: version ? nextFiring(checkedVersion(version).definition, now) : null } });
  }
}
