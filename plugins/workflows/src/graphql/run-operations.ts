// Reading workflows and their run history (per workflow, per record), and acting on runs: start one by hand on a
// record or on a selection of records, cancel one, run one again (on the version it ran, with the same trigger).
import { randomUUID } from 'node:crypto';
import { badInput, type Builder, conflict, cursorInWorkspace, globalId, MAX_PAGE_SIZE, type Models, notFound, type RecordAccess, rowId } from '@crm/plugin-sdk';
import { recordRelations, triggerObject, triggerRecordFilter } from '../definition/validate.js';
import { versionObjects } from '../definition/version-objects.js';
import type { WorkflowDefinition } from '../definition/document.js';
import { admitStarting } from '../runs/admission.js';
import { cancelRuns } from '../runs/cancel-runs.js';
import { erasedPersonIn, keptErasures } from '../runs/erased-events.js';
import { lockRunStarts, startRun, startRuns } from '../runs/start-run.js';
import { checkedVersion } from '../runs/versions.js';
import { RUN_SUMMARY } from './access.js';
import { idInput, lockedWorkflow, refuseArchived, workflowToChange } from './definition-mutations.js';
import type { WorkflowToolkit } from './toolkit.js';
import { runStatuses, workflowRunStatus } from './types.js';

const FINISHED = new Set<Models.WorkflowRun['status']>(['SUCCEEDED', 'FAILED', 'CANCELLED']);
/** Records a selection may hold: one run each. */
const MAX_SELECTION = 1000;

/** The object whose records a workflow runs on by hand (manual, record and date triggers). */
function onRecords(definition: WorkflowDefinition): string {
  const kind = definition.trigger.kind;
  const object = kind === 'manual' || kind === 'record' || kind === 'date' ? triggerObject(definition) : null;
  if (!object) throw badInput('id: only workflows triggered by records (or by hand) run on a record', 'id');
  return object;
}

/** An enabled workflow's published version, for starting runs on records of its object by hand (CONFLICT when archived). */
async function runnableOnRecords(scope: Parameters<typeof workflowToChange>[0], id: string) {
  // The records are read to start runs from: under the run starts' lock, before they are (runs/start-run.ts).
  await lockRunStarts(scope);
  const workflow = await workflowToChange(scope, id);
  refuseArchived(workflow);
  if (!workflow.enabled || !workflow.publishedVersionId) throw badInput('id: the workflow is not enabled', 'id');
  const version = (await scope.tx.workflowVersion.findUnique({ where: { id: workflow.publishedVersionId } }))!;
  const { definition } = checkedVersion(version);
  return { workflow, version, definition, object: onRecords(definition) };
}

/**
 * A record- or date-triggered workflow runs by hand only on records its trigger selects (`triggerRecordFilter`: its
 * condition, a date trigger's date set), as the dry run tests them: a person (a
 * MEMBER's key, acting with the publisher's rights) cannot aim it at records it was not written for. A `manual`
 * workflow runs on any record. Of `recordIds`, those that match (one statement), in their order.
 */
async function matchingTrigger(objects: RecordAccess, tx: object, definition: WorkflowDefinition, object: string, recordIds: readonly string[]): Promise<string[]> {
  const condition = triggerRecordFilter(definition);
  if (!condition || !recordIds.length) return [...recordIds];
  const filter = objects.parseFilter(object, condition, 'condition');
  const matching = new Set((await objects.select(tx, object, { ids: recordIds, filter, limit: recordIds.length })).map((r) => String(r.id)));
  return recordIds.filter((id) => matching.has(id));
}

/**
 * The row id of a record's global id, of any object record triggers take: the declared ones (core's, the plugins')
 * and the workspace's custom objects. BAD_USER_INPUT for any other id.
 */
async function recordOfAnyObject(plugin: WorkflowToolkit, db: object, workspaceId: string, id: string): Promise<{ recordId: string }> {
  const objects = await plugin.objects.inWorkspace(db, workspaceId);
  return { recordId: rowId(id, [...objects.catalog.objects].map((o) => o.name), 'recordId') };
}

export function registerRunOperations(builder: Builder, plugin: WorkflowToolkit) {
  builder.queryField('workflows', (t) =>
    t.prismaField({
      type: ['Workflow'],
      description: 'The workspace’s workflows, newest first: those not archived, or with `archived: true` the archived ones; at most 500 (page through them all with workflowsConnection) (ADMIN).',
      args: { archived: t.arg.boolean({ defaultValue: false }) },
      resolve: (query, _root, args, context) =>
        plugin.authorize(context, 'manage').db.workflow.findMany({
          ...query,
          where: { archivedAt: args.archived ? { not: null } : null },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: 500,
        }),
    }),
  );
  builder.queryField('workflow', (t) =>
    t.prismaField({
      type: 'Workflow',
      nullable: true,
      args: { id: t.arg.id({ required: true }) },
      resolve: (query, _root, { id }, context) => {
        const db = plugin.authorize(context, 'manage').db;
        return db.workflow.findUnique({ ...query, where: { id: rowId(String(id), 'Workflow', 'id') } });
      },
    }),
  );
  /** The filter of run history (workflowRuns, workflowRunHistory): one workflow's, one record's, one status. */
  const historyArgs = builder.args((t) => ({
    workflowId: t.id(),
    recordId: t.id({ description: 'A record’s global id (Customer, Deal, a plugin’s or a custom object’s record): the runs about it.' }),
    status: t.field({ type: workflowRunStatus(builder) }),
  }));
  const historyWhere = async (
    context: Parameters<typeof plugin.authorize>[0],
    args: { workflowId?: string | null; recordId?: string | null; status?: (typeof runStatuses)[number] | null },
  ) => {
    const caller = plugin.authorize(context, 'manage');
    const record = args.recordId ? await recordOfAnyObject(plugin, caller.db, caller.session.workspaceId, String(args.recordId)) : undefined;
    const where = {
      ...(args.workflowId ? { workflowId: rowId(String(args.workflowId), 'Workflow', 'workflowId') } : {}),
      ...(record ?? {}),
      ...(args.status ? { status: args.status } : {}),
    };
    return { db: caller.db, where };
  };
  const newestFirst = [{ startedAt: 'desc' as const }, { id: 'desc' as const }];

  builder.queryField('workflowRuns', (t) =>
    t.prismaField({
      type: ['WorkflowRun'],
      description: `Run history, newest first: of one workflow, of one record (any object), or of the workspace; at most ${MAX_PAGE_SIZE} (page further with workflowRunHistory) (ADMIN).`,
      args: { ...historyArgs, first: t.arg.int({ defaultValue: 20 }) },
      resolve: async (query, _root, args, context) => {
        const { db, where } = await historyWhere(context, args);
        return db.workflowRun.findMany({ ...query, where, orderBy: newestFirst, take: Math.min(Math.max(args.first ?? 20, 0), MAX_PAGE_SIZE) });
      },
    }),
  );
  builder.queryField('workflowRunHistory', (t) =>
    t.prismaConnection({
      type: 'WorkflowRun',
      cursor: 'id',
      description: 'Run history as a connection, newest first (first/after, last/before; totalCount): of one workflow, of one record (any object), or of the workspace (ADMIN).',
      args: historyArgs,
      resolve: async (query, _root, args, context) => {
        const { db, where } = await historyWhere(context, args);
        // The cursor is a run of the workspace (BAD_USER_INPUT on after/before otherwise): Prisma reads its row unscoped.
        const page = await cursorInWorkspace(query, args, (id) => db.workflowRun.findFirst({ where: { id }, select: { id: true } }));
        return db.workflowRun.findMany({ ...page, where, orderBy: newestFirst });
      },
      totalCount: async (_connection, args, context) => {
        const { db, where } = await historyWhere(context, args);
        return db.workflowRun.count({ where });
      },
    }),
  );

  // The run a payload returns: its summary is readable by whoever may start it (access.ts); the rest needs `manage`.
  const RunPayload = (name: string) =>
    builder
      .objectRef<{ run: Models.WorkflowRun }>(name)
      .implement({ fields: (t) => ({ run: t.prismaField({ type: 'WorkflowRun', grantScopes: [RUN_SUMMARY], resolve: (_query, p) => p.run }) }) });

  builder.mutationField('runWorkflow', (t) =>
    t.field({
      type: RunPayload('RunWorkflowPayload'),
      description: 'Starts the published version on a record by hand (manual and record triggers; MEMBER or ADMIN).',
      args: {
        input: t.arg({
          type: builder.inputType('RunWorkflowInput', { fields: (f) => ({ id: f.id({ required: true }), recordId: f.id({ required: true }) }) }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'run', async (scope) => {
          const { workflow, version, definition, object } = await runnableOnRecords(scope, String(input.id));
          const recordId = rowId(String(input.recordId), object, 'recordId');
          const objects = await versionObjects(plugin.objects, scope.tx, scope.session.workspaceId, version);
          const record = await objects.read(scope.tx, object, recordId, { relations: recordRelations(definition, objects) });
          if (!record) throw notFound(object, 'recordId');
          if (!(await matchingTrigger(objects, scope.tx, definition, object, [recordId])).length) {
            throw badInput(`recordId: the record does not match the trigger's condition ${JSON.stringify(triggerRecordFilter(definition))}`, 'recordId');
          }
          const runId = await startRun(scope, {
            workflowId: workflow.id,
            version,
            triggerId: `manual:${randomUUID()}`,
            trigger: { event: null, record },
            recordType: object,
            recordId,
            depth: 0,
          });
          scope.emit('workflow.run_requested', { type: 'WorkflowRun', id: runId! }, { workflowId: workflow.id, recordId, rerunOf: null });
          return { run: (await scope.tx.workflowRun.findUnique({ where: { id: runId! } }))! };
        }),
    }),
  );

  const SelectionPayload = builder.objectRef<{ runIds: string[]; skipped: string[] }>('RunWorkflowOnRecordsPayload').implement({
    fields: (t) => ({
      started: t.int({ description: 'Runs started: one per selected record.', resolve: (p) => p.runIds.length }),
      skipped: t.idList({ description: 'Selected records the trigger’s condition does not select (record and date triggers): no run.', resolve: (p) => p.skipped }),
      runs: t.prismaField({
        type: ['WorkflowRun'],
        grantScopes: [RUN_SUMMARY],
        description: 'The runs started, in the order of the records (by id).',
        resolve: async (query, p, _args, context) => {
          const runs = await plugin.authorize(context, 'run').db.workflowRun.findMany({ ...query, where: { id: { in: p.runIds } } });
          const order = new Map(p.runIds.map((id, i) => [id, i]));
          return runs.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
        },
      }),
    }),
  });
  builder.mutationField('runWorkflowOnRecords', (t) =>
    t.field({
      type: SelectionPayload,
      description: `Starts the published version once per record of a selection: \`ids\` (global ids) or \`filter\` (the list filter language of the trigger's object), at most ${MAX_SELECTION} records (BAD_USER_INPUT beyond: narrow the selection). The runs wait their turn under the workspace's limits (MEMBER or ADMIN).`,
      args: {
        input: t.arg({
          type: builder.inputType('RunWorkflowOnRecordsInput', {
            fields: (f) => ({ id: f.id({ required: true }), ids: f.idList(), filter: f.field({ type: 'JSON' }) }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'run', async (scope) => {
          const { workflow, version, definition, object } = await runnableOnRecords(scope, String(input.id));
          if ((input.ids == null) === (input.filter == null)) throw badInput('ids: give ids or a filter (one of them)', 'ids');
          if (input.ids && input.ids.length > MAX_SELECTION) throw badInput(`ids: at most ${MAX_SELECTION} records`, 'ids');
          const ids = input.ids ? [...new Set(input.ids.map((id, i) => rowId(String(id), object, `ids.${i}`)))] : undefined;
          // The selection's filter may test the workspace's custom fields (compiled by the read engine's compiler).
          const objects = await plugin.objects.inWorkspace(scope.tx, scope.session.workspaceId);
          const filter = input.filter == null ? undefined : objects.parseFilter(object, input.filter, 'filter');
          const selected = await objects.select(scope.tx, object, { ids, filter, limit: MAX_SELECTION + 1 });
          if (selected.length > MAX_SELECTION) throw badInput(`filter: selects more than ${MAX_SELECTION} records; narrow it`, 'filter');
          const recordIds = selected.map((r) => String(r.id));
          if (ids && recordIds.length < ids.length) {
            const missing = ids.findIndex((id) => !recordIds.includes(id));
            throw notFound(object, `ids.${missing}`);
          }
          const matching = await matchingTrigger(objects, scope.tx, definition, object, recordIds);
          const started = new Set(matching);
          const skipped = recordIds.filter((id) => !started.has(id)).map((id) => globalId(object, id));
          const records = await objects.readMany(scope.tx, object, matching, { relations: recordRelations(definition, objects) });
          const request = randomUUID();
          const runIds = await startRuns(
            scope,
            matching.map((recordId) => ({
              workflowId: workflow.id,
              version,
              triggerId: `manual:${request}:${recordId}`,
              trigger: { event: null, record: records.get(recordId) ?? null },
              recordType: object,
              recordId,
              depth: 0,
            })),
            await admitStarting(scope, matching.length),
          );
          scope.emit('workflow.runs_requested', { type: 'Workflow', id: workflow.id }, { count: runIds.length, filter: (input.filter ?? null) as object | null });
          return { runIds, skipped };
        }),
    }),
  );

  builder.mutationField('cancelWorkflowRun', (t) =>
    t.field({
      type: RunPayload('CancelWorkflowRunPayload'),
      description: 'Cancels a run that has not finished: its pending and waiting steps will not run (ADMIN).',
      args: { input: t.arg({ type: idInput(builder, 'CancelWorkflowRunInput'), required: true }) },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          const runId = rowId(String(input.id), 'WorkflowRun', 'id');
          // The cancel of many runs, for one (runs/cancel-runs.ts: under the run's lock, its places given to held runs).
          const [cancelled] = await cancelRuns(scope, [runId]);
          const run = await scope.tx.workflowRun.findUnique({ where: { id: runId } });
          if (!run) throw notFound('WorkflowRun', 'id');
          if (!cancelled) throw conflict(`The run has already finished (${run.status})`, 'id');
          scope.emit('workflow.run_cancelled', { type: 'WorkflowRun', id: run.id }, { workflowId: run.workflowId });
          return { run };
        }),
    }),
  );

  builder.mutationField('rerunWorkflowRun', (t) =>
    t.field({
      type: RunPayload('RerunWorkflowRunPayload'),
      description: 'Starts a new run of the same version with the same trigger (a failed or cancelled run, once fixed) (ADMIN).',
      args: { input: t.arg({ type: idInput(builder, 'RerunWorkflowRunInput'), required: true }) },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          // Its snapshot is read to start a run from: under the run starts' lock (runs/start-run.ts).
          await lockRunStarts(scope);
          const previous = await scope.tx.workflowRun.findUnique({ where: { id: rowId(String(input.id), 'WorkflowRun', 'id') }, include: { version: true } });
          if (!previous) throw notFound('WorkflowRun', 'id');
          // Two runs of the same trigger at once would do its steps twice over: a run under way is cancelled (or left to
          // finish) first.
          if (!FINISHED.has(previous.status)) throw conflict(`The run is still under way (${previous.status}): cancel it or let it finish first`, 'id');
          // A run that names a person erased since it was written, not scrubbed yet: its copy would be written after
          // the erasure's time, where the scrub does not look (runs/erased-events.ts, the scrub's rule).
          // Written before the erasure: the newest event seq when it was written (`startSeq`) below the erasure's marker.
          const { erasures } = await keptErasures(scope.sql);
          if (erasedPersonIn(erasures)(previous.startSeq, { trigger: previous.trigger, recordId: previous.recordId })) {
            throw conflict('The run names a person who was erased: its history is being scrubbed, so it cannot be run again', 'id');
          }
          // So is any other run of its family under way — a rerun of it, the run it reran, a rerun of that (all share
          // the first run, `rerunRootId`) — read under the workflow's lock, which every rerun of it takes first. Only
          // the family: other runs of the same trigger (every scheduled run has the same, so may two manual runs on a
          // record) are other runs, not this one done again.
          refuseArchived(await lockedWorkflow(scope, previous.workflowId));
          const root = previous.rerunRootId ?? previous.id;
          const under = await scope.tx.workflowRun.findFirst({
            where: { OR: [{ id: root }, { rerunRootId: root }], status: { notIn: [...FINISHED] } },
            select: { id: true, status: true, rerunOfId: true },
          });
          if (under?.rerunOfId === previous.id) throw conflict(`A rerun of this run is still under way (${under.status}): cancel it or let it finish first`, 'id');
          if (under) throw conflict(`Another run of the same trigger is still under way (${under.status}): cancel it or let it finish first`, 'id');
          const runId = await startRun(scope, {
            workflowId: previous.workflowId,
            version: previous.version,
            triggerId: `rerun:${randomUUID()}`,
            trigger: previous.trigger as { event: Record<string, unknown> | null; record: Record<string, unknown> | null },
            recordType: previous.recordType,
            recordId: previous.recordId,
            depth: previous.depth,
            rerunOfId: previous.id,
            rerunRootId: root,
          });
          scope.emit('workflow.run_requested', { type: 'WorkflowRun', id: runId! }, { workflowId: previous.workflowId, recordId: previous.recordId, rerunOf: previous.id });
          return { run: (await scope.tx.workflowRun.findUnique({ where: { id: runId! } }))! };
        }),
    }),
  );
}
