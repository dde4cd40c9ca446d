// Workflows' part in a person's data (docs/data.md, docs/plugins/workflows.md "Privacy"). Run history holds customers'
// data in snapshots: a run's trigger (the record as it was, the event, a webhook's body), its error, and its steps'
// input, output and error (an email's `to`, an HTTP request's body and answer).
// - The runs about the customer (their record: the ("workspaceId", "recordId") index) follow them on a merge, are
//   exported in full and are deleted on erasure, steps with them; the waits for their events end.
// - The runs that merely name the customer (a deal's run with its customer in the snapshot, a webhook body, a step's
//   output carrying their id or email) are found by a text search of every snapshot: on erasure that is background
//   work (runs/erasure-scrub.ts), in bounded batches, never the erasure's own transaction; the export looks at the
//   newest EXPORT_SCAN runs only and says so.
import { type PersonalDataContext, type PersonalDataHandlers } from '@crm/plugin-sdk';
import { cancelRuns, UNFINISHED_RUNS } from './runs/cancel-runs.js';
import { runLockKey } from './runs/claimed-steps.js';
import { RUN_STARTS } from './runs/start-run.js';
import { hashEmail, normalEmail, sqlUnescaped } from './runs/erasure-email.js';
import { piece, withPieces } from './runs/sql-pieces.js';
import { ERASED_ERROR, needlesOf, recordErasure } from './runs/erasure-scrub.js';
import type { WorkflowSettings } from './settings.js';

/** Runs whose locks one transaction takes at most (a lock each, held to its end). */
const LOCKS_AT_MOST = 1000;
/** The newest runs an export searches for runs naming the person (a search of all history is the erasure's job). */
export const EXPORT_SCAN = 5000;

async function emailOf(context: PersonalDataContext<WorkflowSettings>, customerId: string): Promise<string | null> {
  const customer = await context.tx.customer.findUnique({ where: { id: customerId }, select: { email: true } });
  return normalEmail(customer?.email);
}

/**
 * The customer's runs to stop on erasure: runs about them under way and runs waiting for their events, at most
 * LOCKS_AT_MOST (ids up to `upTo` when given: the ones the first phase locked).
 */
async function runsToStop({ tx }: PersonalDataContext<WorkflowSettings>, customerId: string, upTo: string | undefined): Promise<string[]> {
  const upToId = upTo ? { lte: upTo } : undefined;
  const about = await tx.workflowRun.findMany({ where: { recordId: customerId, status: { in: [...UNFINISHED_RUNS] }, id: upToId }, select: { id: true }, take: LOCKS_AT_MOST });
  const waiting = await tx.workflowStepRun.findMany({
    where: { waitKey: { not: null, endsWith: `:${customerId}` }, runId: upToId },
    select: { runId: true },
    distinct: ['runId'],
    take: LOCKS_AT_MOST - about.length,
  });
  return [...new Set([...about.map((run) => run.id), ...waiting.map((step) => step.runId)])];
}

export const workflowPersonalData: PersonalDataHandlers<WorkflowSettings> = {
  async merge({ keepId, mergedIds }, { tx, rows, lock }) {
    const merged = [...mergedIds];
    const about = { recordType: 'Customer', recordId: { in: merged } };
    // Runs under way act on their trigger's record (`trigger.record.id`) from here on: the kept customer's. Their
    // locks first (sorted, one statement: the order of runs/claimed-steps.ts), then read again under them. Finished
    // runs' snapshots stay as they were.
    const candidates = await tx.workflowRun.findMany({ where: { ...about, status: { in: [...UNFINISHED_RUNS] } }, select: { id: true }, take: LOCKS_AT_MOST });
    if (candidates.length) await lock(candidates.map((run) => runLockKey(run.id)).sort());
    const going = await tx.workflowRun.findMany({ where: { id: { in: candidates.map((run) => run.id) }, ...about }, select: { id: true, trigger: true } });
    const runs = await tx.workflowRun.updateMany({ where: about, data: { recordId: keepId } });
    // The snapshot's record names the kept customer; its other fields stay as the merged-away record was when the run
    // started (a snapshot, as for every run: steps read the record again when they act on it).
    const moved = going.flatMap(({ id, trigger }) => {
      const snapshot = trigger as { record?: Record<string, unknown> | null } | null;
      return snapshot?.record ? [{ id, trigger: { ...snapshot, record: { ...snapshot.record, id: keepId } } }] : [];
    });
    if (moved.length) await rows.write([{ update: 'WorkflowRun', rows: moved }]);
    // Waits for a merged-away customer's events (`<eventType>:<customerId>`) wait for the kept one's: one statement per
    // event type waited on, whatever the number of runs (the waiting steps are the few with a waitKey: its index).
    const keys = await tx.workflowStepRun.findMany({
      where: { waitKey: { not: null }, OR: merged.map((id) => ({ waitKey: { endsWith: `:${id}` } })) },
      select: { waitKey: true },
      distinct: ['waitKey'],
    });
    let waits = 0;
    for (const { waitKey } of keys) {
      const at = waitKey!.lastIndexOf(':');
      waits += (await tx.workflowStepRun.updateMany({ where: { waitKey }, data: { waitKey: `${waitKey!.slice(0, at)}:${keepId}` } })).count;
    }
    return { WorkflowRun: runs.count, WorkflowStepRun: waits };
  },

  async export(customerId, context) {
    const pattern = needlesOf(customerId, await emailOf(context, customerId));
    const naming = await withPieces(context.sql)<{ id: string }>`
      SELECT r.id FROM (SELECT id, "recordId", trigger, error FROM "WorkflowRun" ORDER BY "startedAt" DESC LIMIT ${EXPORT_SCAN}::int) r
      WHERE r."recordId" IS DISTINCT FROM ${customerId}::uuid
        AND (${sqlUnescaped(piece`concat_ws(' ', r.trigger::text, r.error)`)} ~* ${pattern} OR EXISTS (
          SELECT 1 FROM "WorkflowStepRun" s WHERE s."runId" = r.id
            AND ${sqlUnescaped(piece`concat_ws(' ', s.input::text, s.output::text, s.error, s."waitKey")`)} ~* ${pattern}))`;
    return {
      runs: await context.tx.workflowRun.findMany({
        where: { recordId: customerId },
        include: { workflow: { select: { name: true } }, steps: { orderBy: { seq: 'asc' } } },
        orderBy: { startedAt: 'asc' },
      }),
      // Runs about other records whose snapshots name the customer: which ones (their snapshots are others' data too).
      runsNaming: await context.tx.workflowRun.findMany({
        where: { id: { in: naming.map((run) => run.id) } },
        select: { id: true, workflowId: true, status: true, recordType: true, recordId: true, startedAt: true },
        orderBy: { startedAt: 'asc' },
      }),
      runsNamingNote: `Searched the newest ${EXPORT_SCAN} runs of the workspace for runs naming the customer.`,
    };
  },

  // Two phases (docs/plugins/workflows.md, "Privacy"). `erase`, before the core's work: the customer's email (their
  // row is still there) and the locks of their runs under way. `eraseLast`, after the core's work: the run starts'
  // lock, the runs stopped and deleted, the scrub's bound. So that lock is held for the short last phase only.
  async erase(customerId, context) {
    const { tx, lock, session } = context;
    // Their runs' locks, before this transaction holds any of the customer's rows: a step transaction under way (which
    // may write those rows: a tag, a task) commits first, and none begins until the commit. Taken later, a step
    // blocked on the rows this erasure holds would wait for it while it waited for the step's run lock.
    const runs = await runsToStop(context, customerId, undefined);
    if (runs.length) await lock(runs.map(runLockKey).sort());
    // The row without its bound (`erasedAt` null: the last phase writes it again with it). `untilRunId` for now: the
    // highest run id before the core's work, which the last phase stops runs up to (the ones it holds locks of). The
    // email hashed (runs/erasure-email.ts): read now, while their row is there; never kept in clear.
    const last = await tx.workflowRun.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    const email = hashEmail(await emailOf(context, customerId));
    await tx.workflowErasure.create({ data: { workspaceId: session.workspaceId, customerId, ...email, erasedAt: null, untilRunId: last?.id ?? null } });
  },

  async eraseLast(customerId, context) {
    const { tx, lock } = context;
    // The run starts' lock, alone: the starts under way (which may have read the customer: the erasure had not
    // committed, so they saw the row) commit first, and those begun from now on read after this transaction
    // (runs/start-run.ts). So the history the scrub searches is every run written before the erasure's time, below,
    // and no later run read what this erases. A start never waits for what the core's work holds (it reads the
    // customer's rows, it writes its own; it takes no run lock), so this waits for the starts, not the reverse.
    await lock(RUN_STARTS);
    const first = await tx.workflowErasure.findFirst({ where: { customerId, erasedAt: null }, select: { id: true, emailSalt: true, emailHash: true, untilRunId: true } });
    // Runs about them under way, and runs waiting for their events, as of the first phase (locked there): stopped (as
    // a cancel), at most LOCKS_AT_MOST. Any more, and the runs started about them while the core's work went on, are
    // the scrub's (their snapshots name the customer; it stops them under their locks, in its own transactions).
    const cancelled = first?.untilRunId ? await cancelRuns(context, await runsToStop(context, customerId, first.untilRunId), { error: ERASED_ERROR }) : [];
    // Every finished run about them, and the ones just cancelled, go with their steps (the index on recordId).
    await tx.workflowRun.deleteMany({ where: { recordId: customerId, OR: [{ status: { notIn: [...UNFINISHED_RUNS] } }, { id: { in: cancelled } }] } });
    // The rest of history is searched in the background (runs/erasure-scrub.ts), starting now: the runs written before
    // `erasedAt` (the database's clock now, under the lock: recordErasure; the first phase's row is written again),
    // walked by id up to the highest there is now (the ("workspaceId", id) index's last; every run written before is
    // committed by now). Written even with no run to search: events recorded before it and delivered after it are
    // checked against it (runs/erased-events.ts).
    const last = await tx.workflowRun.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    if (first) await tx.workflowErasure.delete({ where: { id: first.id } });
    await recordErasure(context, customerId, first ?? { emailSalt: null, emailHash: null }, last?.id ?? null);
  },
};
