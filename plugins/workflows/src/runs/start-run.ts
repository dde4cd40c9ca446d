// Starting a run: one row per (version, trigger id) — the unique key makes a second delivery of the same event a
// no-op — and its first step, due at once. Runs start QUEUED; the runner lets them in under the workspace's
// concurrency limit.
import { randomUUID } from 'node:crypto';
import type { Models, ScopedTransaction } from '@crm/plugin-sdk';
import { checkedVersion } from './versions.js';

export interface RunStart {
  workflowId: string;
  version: Models.WorkflowVersion;
  /** The event id, `schedule:<time>`, or `manual:<request>`: a run per version and trigger id. */
  triggerId: string;
  trigger: { event: Record<string, unknown> | null; record: Record<string, unknown> | null };
  recordType: string | null;
  recordId: string | null;
  depth: number;
  rerunOfId?: string | null;
}

/** Creates the run and its first step; null when this version already ran for this trigger id. */
export async function startRun(tx: ScopedTransaction, workspaceId: string, start: RunStart): Promise<string | null> {
  const id = randomUUID();
  // ON CONFLICT DO NOTHING: a duplicate leaves the transaction usable (a failed INSERT would abort it).
  const { count } = await tx.workflowRun.createMany({
    data: [
      {
        id,
        workspaceId,
        workflowId: start.workflowId,
        versionId: start.version.id,
        triggerId: start.triggerId,
        status: 'QUEUED',
        recordType: start.recordType,
        recordId: start.recordId,
        trigger: start.trigger as object,
        depth: start.depth,
        rerunOfId: start.rerunOfId ?? null,
      },
    ],
    skipDuplicates: true,
  });
  if (count === 0) return null;
  const { plan } = checkedVersion(start.version);
  const first = plan.steps.get(plan.first)!;
  await tx.workflowStepRun.create({ data: { workspaceId, runId: id, stepId: first.step.id, kind: first.step.kind, dueAt: new Date() } });
  return id;
}
