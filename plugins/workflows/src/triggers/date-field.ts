// Date triggers ("3 days before a deal's expectedCloseAt, at 09:00 Paris"): a durable scan, not a timer per record.
// Each enabled workflow with a date trigger keeps `scannedUntil`; a job (per workspace, one instance at a time) asks
// for the records whose point lies in (scannedUntil, now] — one range on the date column, with the trigger's
// condition — starts a run for each, keyed `date:<record>:<date>` (a record and date fire once per version; a date
// moved to another future point fires then), and moves `scannedUntil` on (pages of records keep a cursor between
// scans). A gateway that was down catches up; a date moved into the past already scanned does not fire. A custom date
// field (the workspace's, in the `customFields` JSON; a custom object's) is ranged over the same way, through the
// workspace's record access (`objects.inWorkspace`), with the read engine's SQL expression for the field.
import { type JobCallsContext, type JobContext, type Models, Prisma, type RecordAccess } from '@crm/plugin-sdk';
import type { DateTrigger, WorkflowDefinition } from '../definition/document.js';
import { recordRelations } from '../definition/validate.js';
import { lockRunStarts, startRuns } from '../runs/start-run.js';
import { checkedVersion, type VersionRow } from '../runs/versions.js';
import type { WorkflowSettings } from '../settings.js';
import { datePoints } from './date-points.js';

export interface DateScanOptions {
  /** Records read (and runs started) per page. @default 500 */
  pageSize?: number;
  /** Pages a scan takes per workflow; the next scan goes on from the cursor. @default 10 */
  pages?: number;
}

interface ScanCursor {
  id: string;
  value: string;
}

/**
 * `scannedUntil` for a workflow whose published version or switch just changed: dates from `now` on fire, the
 * database's time (the workflow's lock's, `lockedWorkflowAt`), as the scan's window ends at the job's.
 */
export function scannedUntilOf(workflow: Pick<Models.Workflow, 'enabled' | 'scannedUntil'>, version: VersionRow | null, now: Date) {
  if (!workflow.enabled || !version || checkedVersion(version).definition.trigger.kind !== 'date') return null;
  return workflow.scannedUntil && workflow.scannedUntil > now ? workflow.scannedUntil : now;
}

/**
 * The `scanDates` job (`transaction: 'per-call'`): a page of records a transaction, each taking the run starts' lock
 * (runs/start-run.ts) for that page only — an erasure waits for one page, not a scan, and the starts queued behind
 * it with it. The page's runs and the cursor moved past them commit together: a scan stopped between pages goes on
 * from the last committed one, and the runs' unique trigger ids (`date:<record>:<date>`) start none twice.
 */
export const dateScanner =
  ({ pageSize = 500, pages = 10 }: DateScanOptions = {}) =>
  (job: JobCallsContext<WorkflowSettings>) =>
    scanDateTriggers(job, pageSize, pages);

async function scanDateTriggers(job: JobCallsContext<WorkflowSettings>, pageSize: number, pages: number): Promise<void> {
  const workflows = await job.transaction(({ tx }) =>
    tx.workflow.findMany({ where: { enabled: true, publishedVersionId: { not: null }, scannedUntil: { lt: job.now } }, select: { id: true } }),
  );
  for (const { id } of workflows) {
    for (let page = 0; page < pages; page++) if (!(await job.transaction((scope) => scanPage(scope, id, pageSize, job.now)))) break;
  }
}

/** One page of a workflow's window in its transaction: whether a page follows (the cursor saved). */
async function scanPage({ tx, rows, workspaceId, objects: declared, lock }: JobContext<WorkflowSettings>, workflowId: string, pageSize: number, now: Date): Promise<boolean> {
  // Read again in the page's transaction: switched off, republished or done meanwhile (another gateway's run).
  const workflow = await tx.workflow.findFirst({
    where: { id: workflowId, enabled: true, publishedVersionId: { not: null }, scannedUntil: { lt: now } },
    select: { id: true, scannedUntil: true, scanCursor: true, publishedVersionId: true },
  });
  if (!workflow) return false;
  const version = await tx.workflowVersion.findUnique({ where: { id: workflow.publishedVersionId! } });
  const definition = version ? checkedVersion(version).definition : null;
  if (!version || definition?.trigger.kind !== 'date') {
    await tx.workflow.update({ where: { id: workflow.id }, data: { scannedUntil: null, scanCursor: Prisma.DbNull } });
    return false;
  }
  const trigger: DateTrigger = definition.trigger;
  const builtIn = declared.catalog.has(trigger.object) && declared.catalog.get(trigger.object).fields.has(trigger.field);
  const objects = builtIn && !version.workspaceModel ? declared : await declared.inWorkspace(tx, workspaceId);
  const field = objects.catalog.has(trigger.object) ? objects.catalog.get(trigger.object).fields.get(trigger.field) : undefined;
  // A custom field (or object) archived since publishing: nothing to scan; its window waits for it to come back.
  if (!field) return false;
  const range = datePoints(trigger, field.kind).valuesReaching(workflow.scannedUntil!, now);
  let cursor = workflow.scanCursor as ScanCursor | null;
  if (range) {
    // Records are read to start runs from: under the run starts' lock (runs/start-run.ts), this page's transaction.
    await lockRunStarts({ lock });
    const filter = trigger.condition ? objects.parseFilter(trigger.object, trigger.condition, 'condition') : undefined;
    const due = await objects.select(tx, trigger.object, {
      filter,
      range: { field: trigger.field, ...range, cursor: cursor ? { id: cursor.id, value: new Date(cursor.value) } : null },
      fields: [trigger.field],
      limit: pageSize,
    });
    await startDateRuns({ tx, rows }, workflow.id, version, definition, due, objects);
    const last = due.at(-1);
    // A full page: more may follow (dates on the same day share a point, so the cursor is the record, not the time).
    cursor = due.length === pageSize && last ? { id: String(last.id), value: String(last[trigger.field]) } : null;
  }
  // Done with the window: the next scan starts where it ended. Not done: same window, from the cursor.
  await tx.workflow.update({
    where: { id: workflow.id },
    data: cursor ? { scanCursor: cursor as object } : { scannedUntil: now, scanCursor: Prisma.DbNull },
  });
  return cursor !== null;
}

async function startDateRuns(
  { tx, rows }: Pick<JobContext<WorkflowSettings>, 'tx' | 'rows'>,
  workflowId: string,
  version: Models.WorkflowVersion,
  definition: WorkflowDefinition,
  due: Record<string, unknown>[],
  objects: RecordAccess,
) {
  if (!due.length) return;
  const trigger = definition.trigger as DateTrigger;
  const ids = due.map((r) => String(r.id));
  const records = await objects.readMany(tx, trigger.object, ids, { relations: recordRelations(definition, objects) });
  await startRuns(
    { rows },
    due.map((r) => ({
      workflowId,
      version,
      triggerId: `date:${String(r.id)}:${String(r[trigger.field])}`,
      trigger: { event: null, record: records.get(String(r.id)) ?? null },
      recordType: trigger.object,
      recordId: String(r.id),
      depth: 0,
    })),
  );
}
