// Starting runs: one row per (version, trigger id) — the unique key makes a second delivery of the same event (or a
// second scan of the same date) a no-op — and each run's first step, due at once. Runs start QUEUED; the runner lets
// them in under the workspace's limits (admission.ts). Many runs start in two statements, whatever their number.
import { randomUUID } from 'node:crypto';
import type { Models, ScopedTransaction } from '@crm/plugin-sdk';
import { checkedVersion } from './versions.js';

export interface RunStart {
  workflowId: string;
  version: Models.WorkflowVersion;
  /** The event id, `schedule:<time>`, `date:<record>:<date>`, `manual:<request>`: a run per version and trigger id. */
  triggerId: string;
  trigger: { event: Record<string, unknown> | null; record: Record<string, unknown> | null };
  recordType: string | null;
  recordId: string | null;
  depth: number;
  rerunOfId?: string | null;
}

/**
 * Creates the runs and their first steps; returns the ids of the runs created (a trigger id already run: none).
 * `admitted`: how many of the first starts the workspace's limits let in already (admission.ts `admitStarting`):
 * those are created RUNNING.
 */
export async function startRuns(tx: ScopedTransaction, workspaceId: string, starts: readonly RunStart[], admitted = 0): Promise<string[]> {
  if (!starts.length) return [];
  const now = new Date();
  const planned = new Map<string, RunStart>();
  const rows = starts.map((start, i) => {
    const id = randomUUID();
    planned.set(id, start);
    return {
      id,
      workspaceId,
      workflowId: start.workflowId,
      versionId: start.version.id,
      triggerId: start.triggerId,
      ...(i < admitted ? { status: 'RUNNING' as const, admittedAt: now } : { status: 'QUEUED' as const }),
      recordType: start.recordType,
      recordId: start.recordId,
      trigger: start.trigger as object,
      depth: start.depth,
      rerunOfId: start.rerunOfId ?? null,
    };
  });
  // ON CONFLICT DO NOTHING: a duplicate leaves the transaction usable (a failed INSERT would abort it).
  const created = await tx.workflowRun.createManyAndReturn({ data: rows, skipDuplicates: true, select: { id: true } });
  if (!created.length) return [];
  await tx.workflowStepRun.createMany({
    data: created.map(({ id }) => {
      const { plan } = checkedVersion(planned.get(id)!.version);
      const first = plan.steps.get(plan.first)!;
      return { workspaceId, runId: id, stepId: first.step.id, kind: first.step.kind, dueAt: now };
    }),
  });
  return created.map(({ id }) => id);
}

/** One run: its id, or null when this version already ran for this trigger id. */
export async function startRun(tx: ScopedTransaction, workspaceId: string, start: RunStart): Promise<string | null> {
  return (await startRuns(tx, workspaceId, [start]))[0] ?? null;
}
