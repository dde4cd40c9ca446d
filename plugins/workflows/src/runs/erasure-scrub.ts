// The background half of a person's erasure (personal-data.ts): the runs of the workspace that merely name the erased
// customer (their id, global id or email in a run's trigger or error, or a step's input, output, error or wait) are
// stopped and scrubbed; the email is kept hashed only (runs/erasure-email.ts). A queue over WorkflowErasure rows: each
// pass reads the next SCRUB_BATCH runs by id after the row's cursor (the ("workspaceId", id) index), so a pass's text
// search, its locks and its transaction stay bounded whatever the history's size; the cursor is saved with the pass, so
// a restart goes on where it stopped. It searches the runs written before the erasure's time (`insertedAt` ≤
// `erasedAt`, both the database's clock; a run from before the column, null, always), and walks no further than the
// highest run id there was then (`untilRunId`): runs started later are neither searched (a re-created customer's are
// theirs) nor keep it going. Both hold because the erasure took the run starts' lock (runs/start-run.ts): every run
// written before its time was committed when it read its bound. An erasure without `erasedAt` (asked before the column)
// is bounded by the id alone, one without either (an instance older than both, during a rolling upgrade) goes on until
// a pass finds fewer than a batch. After the last pass the row (its id and hashed email) is kept until ERASURE_KEPT_MS
// past `erasedAt` (`scrubbedAt` set): events recorded before the erasure and delivered after it are checked against it
// (erased-events.ts); then deleted, whatever the switch.
import { type PersonalDataContext, Prisma, type PluginSql, type QueueContext, type QueueItem, type QueueTransaction } from '@crm/plugin-sdk';
import type { WorkflowSettings } from '../settings.js';
import { cancelRuns, UNFINISHED_RUNS } from './cancel-runs.js';
import { type KeptEmail, sqlNamesEmail, wholeAddress } from './erasure-email.js';
import { piece, type SqlPiece, withPieces } from './sql-pieces.js';

/**
 * How long an erasure's row lasts past its time: what an event recorded before it may wait in memory to be delivered
 * (a subscriber's lane behind, a delivery's retries) and still be checked against it (erased-events.ts).
 */
export const ERASURE_KEPT_MS = 60 * 60 * 1000;

/** Runs searched a pass (and run locks held at most, for the ones under way that name the person). */
export const SCRUB_BATCH = 500;

/** What a scrubbed snapshot becomes: the run's timing, status and steps' kinds stay, none of the data. */
const ERASED_TRIGGER = { event: null, record: null, erased: true };
export const ERASED_ERROR = 'Cancelled: a person it names was erased (erasePerson)';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * One case-insensitive regular expression (PostgreSQL's `~*`) matching the customer's id or global id (relay's
 * base64 of `Customer:<id>`), and their email when given (the export's: the customer is still there) as a whole address
 * (`EMAIL_TOKEN`: `ann@example.com` does not match inside `joann@example.com` or `ann@example.com.au`; it may follow
 * quotes, and is searched for in the text with its JSON escapes read as a space: `sqlUnescaped`). An erasure
 * keeps the email hashed only: its matches are `namesEmail`'s (runs/erasure-email.ts).
 */
export function needlesOf(customerId: string, email: string | null): string {
  const globalId = Buffer.from(`Customer:${customerId}`).toString('base64');
  const needles = [escapeRegex(customerId), escapeRegex(globalId)];
  if (email) needles.push(wholeAddress(escapeRegex(email), true));
  return needles.join('|');
}

/** Whether `text` (a piece) names the erased person: their id or global id, or an address hashing to their email's. */
const namingIn = (text: SqlPiece, customerId: string, kept: KeptEmail) =>
  piece`(${text} ~* ${needlesOf(customerId, null)} OR ${sqlNamesEmail(text, piece`${kept.emailSalt}::text`, piece`${kept.emailHash}::text`)})`;

/**
 * The runs among the SCRUB_BATCH after `after` up to `until` (by id; null: no bound) written by the erasure's time
 * (compared in the statement: a JavaScript Date would cut the clock's microseconds), and which of them name the
 * customer, with the database's time of the read (the next pass is due then: claims compare with its clock): one statement.
 */
async function nextRuns(sql: PluginSql, erasure: KeptEmail & { id: string; customerId: string; afterRunId: string | null; untilRunId: string | null }) {
  const { afterRunId: after, untilRunId: until } = erasure;
  return withPieces(sql)<{ id: string; status: string; naming: boolean; readAt: Date }>`
    SELECT r.id, r.status::text AS status, statement_timestamp() AS "readAt",
      (${namingIn(piece`concat_ws(' ', r.trigger::text, r.error)`, erasure.customerId, erasure)} OR EXISTS (
        SELECT 1 FROM "WorkflowStepRun" s WHERE s."runId" = r.id
          AND ${namingIn(piece`concat_ws(' ', s.input::text, s.output::text, s.error, s."waitKey")`, erasure.customerId, erasure)})) AS naming
    FROM "WorkflowRun" r
    WHERE (${after}::uuid IS NULL OR r.id > ${after}::uuid) AND (${until}::uuid IS NULL OR r.id <= ${until}::uuid)
      AND NOT EXISTS (SELECT 1 FROM "WorkflowErasure" e WHERE e.id = ${erasure.id}::uuid AND r."insertedAt" > e."erasedAt")
    ORDER BY r.id
    LIMIT ${SCRUB_BATCH}::int`;
}

/** One pass of an erasure's scrub, in one transaction. */
export async function scrubErasure(item: QueueItem, context: QueueContext<WorkflowSettings>): Promise<void> {
  await context.transaction(async (scope) => {
    const erasure = await scope.tx.workflowErasure.findUnique({ where: { id: item.id } });
    if (!erasure) return;
    // Scrubbed, and kept its time: the needles go.
    if (erasure.scrubbedAt) return void (await scope.tx.workflowErasure.delete({ where: { id: item.id } }));
    const runs = await nextRuns(scope.sql, erasure);
    const naming = runs.filter((run) => run.naming);
    const unfinished = new Set<string>(UNFINISHED_RUNS);
    // Stopped first, under their locks: a run cannot go on with its snapshot scrubbed.
    await cancelRuns(scope, naming.filter((run) => unfinished.has(run.status)).map((run) => run.id), { error: ERASED_ERROR });
    if (naming.length) {
      const ids = naming.map((run) => run.id);
      await scope.tx.workflowRun.updateMany({ where: { id: { in: ids } }, data: { trigger: ERASED_TRIGGER } });
      // A failed run's error copies its step's (an HTTP answer naming the person); the ones cancelled by the erasure say why.
      await scope.tx.workflowRun.updateMany({ where: { id: { in: ids }, error: { not: ERASED_ERROR } }, data: { error: null } });
      await scope.tx.workflowStepRun.updateMany({ where: { runId: { in: ids } }, data: { input: Prisma.DbNull, output: Prisma.DbNull, error: null, waitKey: null } });
    }
    // Runs about the customer the erasure's own transaction left (past its lock bound) go, as theirs did.
    if (naming.length) await scope.tx.workflowRun.deleteMany({ where: { id: { in: naming.map((run) => run.id) }, recordId: erasure.customerId } });
    if (runs.length < SCRUB_BATCH || runs.at(-1)!.id === erasure.untilRunId) await scrubbed(scope, erasure, runs[0]?.readAt ?? null);
    else await scope.tx.workflowErasure.update({ where: { id: item.id }, data: { afterRunId: runs.at(-1)!.id, dueAt: new Date(runs[0]!.readAt) } });
  });
}

/**
 * The scrub's end: the row kept until ERASURE_KEPT_MS past the erasure's time (one without a time: deleted now).
 * `readAt`: the database's time of the last pass's read (none read: the erasure's time, the earliest it may be).
 */
async function scrubbed(scope: Pick<QueueTransaction<WorkflowSettings>, 'tx'>, erasure: { id: string; erasedAt: Date | null }, readAt: Date | null): Promise<void> {
  if (!erasure.erasedAt) return void (await scope.tx.workflowErasure.delete({ where: { id: erasure.id } }));
  // Due by the database's clock (erasedAt is its time): one already past is due at once.
  const dueAt = new Date(erasure.erasedAt.getTime() + ERASURE_KEPT_MS);
  await scope.tx.workflowErasure.update({ where: { id: erasure.id }, data: { scrubbedAt: readAt ? new Date(readAt) : erasure.erasedAt, dueAt } });
}

/**
 * The erasure's row (personal-data.ts `erase`). With no run to search (`untilRunId` null) it is written scrubbed, due
 * ERASURE_KEPT_MS past its time: only kept for the check of delivered events. The queue works whatever the plugin's
 * switch (`whileSwitchedOff`, index.ts): a switched-off workspace's rows are scrubbed and deleted in time too.
 */
export async function recordErasure(context: Pick<PersonalDataContext<WorkflowSettings>, 'sql' | 'tx' | 'session'>, customerId: string, email: KeptEmail, untilRunId: string | null): Promise<void> {
  const { tx, session } = context;
  // The database's time, under the run starts' lock (a JavaScript Date: its milliseconds, below the lock's time).
  const [clock] = await context.sql<{ now: Date }>`SELECT statement_timestamp() AS now`;
  const now = new Date(clock!.now);
  const scrubbed = untilRunId ? {} : { erasedAt: now, scrubbedAt: now, dueAt: new Date(now.getTime() + ERASURE_KEPT_MS) };
  await tx.workflowErasure.create({ data: { workspaceId: session.workspaceId, customerId, emailSalt: email.emailSalt, emailHash: email.emailHash, untilRunId, ...scrubbed } });
}
