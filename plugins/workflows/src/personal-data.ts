// Workflows' part in a person's data (docs/data.md, docs/plugins/workflows.md "Privacy"). Run history holds customers'
// data in snapshots: a run's trigger (the record as it was, the event, a webhook's body) and its steps' input and
// output (an email's `to`, an HTTP request's body and answer).
// - The runs about the customer (their record, or their trigger event's subject) follow them on a merge (their record,
//   the record a run under way acts on, the waits for the merged-away customer's events); are exported; and are
//   deleted on erasure, steps with them.
// - The runs about something else that name the customer (a deal's run with its customer in the snapshot, a webhook
//   body, a step's input or output carrying the customer's id or email, a wait for the customer's events) are
//   exported by reference and, on erasure, stopped (cancelled) and scrubbed: trigger, steps' input, output and error.
// Finding those is a scan of the workspace's run history (text search of its snapshots), bounded by `historyDays`:
// erasures are rare, and a missed snapshot is worse than a slow one.
import { type PersonalDataContext, type PersonalDataHandlers, type PluginSql, Prisma } from '@crm/plugin-sdk';
import { cancelRuns, UNFINISHED_RUNS } from './runs/cancel-runs.js';
import type { WorkflowSettings } from './settings.js';

/** What an erased snapshot becomes: the run's timing, status and steps' kinds stay, none of the data. */
const ERASED_TRIGGER = { event: null, record: null, erased: true };
const ERASED_ERROR = 'Cancelled: a person it names was erased (erasePerson)';

interface NamingRun {
  id: string;
  status: string;
  /** About the customer (their record, or their trigger event's subject), not merely naming them. */
  about: boolean;
}

/** The workspace's runs about the customer or naming them (by id or email) in a snapshot or a wait: one statement. */
async function runsNaming(sql: PluginSql, customerId: string, email: string | null): Promise<NamingRun[]> {
  const mail = email ? email.toLowerCase() : null;
  return sql<NamingRun>`
    SELECT r.id, r.status, coalesce(r."recordId" = ${customerId}::uuid OR r.trigger->'event'->>'subjectId' = ${customerId}, false) AS about
    FROM "WorkflowRun" r
    WHERE r."recordId" = ${customerId}::uuid
      OR strpos(r.trigger::text, ${customerId}) > 0
      OR (${mail}::text IS NOT NULL AND strpos(lower(r.trigger::text), ${mail}::text) > 0)
      OR r.id IN (
        SELECT s."runId" FROM "WorkflowStepRun" s
        WHERE strpos(coalesce(s."waitKey", '') || coalesce(s.input::text, '') || coalesce(s.output::text, '') || coalesce(s.error, ''), ${customerId}) > 0
          OR (${mail}::text IS NOT NULL AND strpos(lower(coalesce(s.input::text, '') || coalesce(s.output::text, '') || coalesce(s.error, '')), ${mail}::text) > 0))`;
}

async function emailOf(context: PersonalDataContext<WorkflowSettings>, customerId: string): Promise<string | null> {
  const customer = await context.tx.customer.findUnique({ where: { id: customerId }, select: { email: true } });
  return customer?.email?.trim() || null;
}

export const workflowPersonalData: PersonalDataHandlers<WorkflowSettings> = {
  async merge({ keepId, mergedIds }, { tx, rows }) {
    const merged = [...mergedIds];
    const about = { recordType: 'Customer', recordId: { in: merged } };
    // Runs under way act on their trigger's record (`trigger.record.id`) from here on: the kept customer's. Finished
    // runs' snapshots stay as they were.
    const going = await tx.workflowRun.findMany({ where: { ...about, status: { in: [...UNFINISHED_RUNS] } }, select: { id: true, trigger: true } });
    const runs = await tx.workflowRun.updateMany({ where: about, data: { recordId: keepId } });
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
    const found = await runsNaming(context.sql, customerId, await emailOf(context, customerId));
    const about = found.filter((run) => run.about).map((run) => run.id);
    const naming = found.filter((run) => !run.about).map((run) => run.id);
    return {
      runs: await context.tx.workflowRun.findMany({
        where: { id: { in: about } },
        include: { workflow: { select: { name: true } }, steps: { orderBy: { seq: 'asc' } } },
        orderBy: { startedAt: 'asc' },
      }),
      // Runs about other records whose snapshots name the customer: which ones (their snapshots are others' data too).
      runsNaming: await context.tx.workflowRun.findMany({
        where: { id: { in: naming } },
        select: { id: true, workflowId: true, status: true, recordType: true, recordId: true, startedAt: true },
        orderBy: { startedAt: 'asc' },
      }),
    };
  },

  async erase(customerId, context) {
    const { tx } = context;
    const found = await runsNaming(context.sql, customerId, await emailOf(context, customerId));
    if (!found.length) return;
    const unfinished = new Set<string>(UNFINISHED_RUNS);
    const about = found.filter((run) => run.about).map((run) => run.id);
    const naming = found.filter((run) => !run.about);
    // Stopped first, under the runs' locks (as a cancel): a step under way finishes before, none runs after. A run about
    // the customer is deleted anyway; one naming them cannot go on with its snapshot scrubbed.
    await cancelRuns(context, found.filter((run) => unfinished.has(run.status)).map((run) => run.id), { error: ERASED_ERROR });
    if (about.length) await tx.workflowRun.deleteMany({ where: { id: { in: about } } });
    if (naming.length) {
      const ids = naming.map((run) => run.id);
      await tx.workflowRun.updateMany({ where: { id: { in: ids } }, data: { trigger: ERASED_TRIGGER } });
      await tx.workflowStepRun.updateMany({ where: { runId: { in: ids } }, data: { input: Prisma.DbNull, output: Prisma.DbNull, error: null } });
    }
  },
};
