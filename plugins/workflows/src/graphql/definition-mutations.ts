// Editing workflows (ADMIN, permission `manage`): create, change the draft, publish it as a new version (checked
// completely), enable or disable. Each mutation is one transaction through `plugin.run`.
import { newWorkflowSecrets } from '../workflow-secrets.js';
import { badInput, type Builder, conflict, type Models, notFound, parseInput, type PluginCommandScope, Prisma, rowId, z } from '@crm/plugin-sdk';
import { checkDefinition, definitionObjects, usesWorkspaceModel } from '../definition/validate.js';
import { checkSegmentSteps, segmentsIn } from '../definition/segment-steps.js';
import type { WorkflowEvent } from '../events.js';
import type { WorkflowSettings } from '../settings.js';
import { scannedUntilOf } from '../triggers/date-field.js';
import { nextFireAtOf } from '../triggers/schedule.js';
import type { WorkflowToolkit } from './toolkit.js';

type Scope = PluginCommandScope<WorkflowSettings, WorkflowEvent>;

/** A draft is any JSON document up to this size: it is only checked when published. */
const MAX_DRAFT_BYTES = 200_000;
const nameField = z.string().trim().min(1, 'Must not be empty').max(200, 'At most 200 characters');
const draftField = z.json().refine((d) => JSON.stringify(d).length <= MAX_DRAFT_BYTES, `At most ${MAX_DRAFT_BYTES} bytes`);
const createInput = z.object({ name: nameField, definition: draftField.nullish() });
const updateInput = z.object({ name: nameField.nullish(), definition: draftField.nullish() });

/** A workflow of the workspace as it is now (NOT_FOUND): for reading it. */
export async function workflowIn(scope: Pick<Scope, 'tx'>, id: string, field = 'id'): Promise<Models.Workflow> {
  const workflow = await scope.tx.workflow.findUnique({ where: { id: rowId(id, 'Workflow', field) } });
  if (!workflow) throw notFound('Workflow', field);
  return workflow;
}

/**
 * A workflow of the workspace (NOT_FOUND) to change or to run by hand, by its row id: read under the workflow's lock,
 * held until the transaction ends. Everything that changes a workflow or starts runs of it by hand takes it first
 * (archive, restore, enable, draft, publish, runs, re-runs), so none acts on what another has just changed: an
 * enable that read the workflow before an archive committed would switch the archived workflow on.
 */
export const lockedWorkflow = async (scope: Pick<Scope, 'tx' | 'lock'>, workflowId: string, field = 'id'): Promise<Models.Workflow> =>
  (await lockedWorkflowAt(scope, workflowId, field)).workflow;

/**
 * {@link lockedWorkflow}, with the database's time of its lock (the lock's `statement_timestamp()`, no statement more):
 * the change's "now" by the database's clock, which the schedule and date-scan jobs compare `nextFireAt` and
 * `scannedUntil` with — never the gateway's, which may be skewed from it. The lock's, not the commit's: a firing or
 * date between the two is still due after the commit, none is skipped.
 */
export async function lockedWorkflowAt(scope: Pick<Scope, 'tx' | 'lock'>, workflowId: string, field = 'id'): Promise<{ workflow: Models.Workflow; now: Date }> {
  const now = await scope.lock(`workflow:${workflowId}`);
  const workflow = await scope.tx.workflow.findUnique({ where: { id: workflowId } });
  if (!workflow) throw notFound('Workflow', field);
  return { workflow, now };
}

/** {@link lockedWorkflowAt} by the workflow's global id (BAD_USER_INPUT on `field` when it is not one). */
const workflowToChangeAt = (scope: Pick<Scope, 'tx' | 'lock'>, id: string, field = 'id') => lockedWorkflowAt(scope, rowId(id, 'Workflow', field), field);

/** {@link lockedWorkflow} by the workflow's global id (BAD_USER_INPUT on `field` when it is not one). */
export const workflowToChange = async (scope: Pick<Scope, 'tx' | 'lock'>, id: string, field = 'id') => (await workflowToChangeAt(scope, id, field)).workflow;

/** CONFLICT when the workflow is archived: it is not edited, published, enabled or run again until restored. */
export function refuseArchived(workflow: Pick<Models.Workflow, 'archivedAt'>, field = 'id'): void {
  if (workflow.archivedAt) throw conflict('The workflow is archived: restore it first (restoreWorkflow)', field);
}

/** A workflow of the workspace that is not archived, locked (NOT_FOUND, CONFLICT), and the database's time of its lock. */
async function activeWorkflowIn(scope: Pick<Scope, 'tx' | 'lock'>, id: string): Promise<{ workflow: Models.Workflow; now: Date }> {
  const locked = await workflowToChangeAt(scope, id);
  refuseArchived(locked.workflow);
  return locked;
}

/** An input of one id (archive, restore, cancel, re-run). */
export const idInput = (builder: Builder, name: string) => builder.inputType(name, { fields: (f) => ({ id: f.id({ required: true }) }) });

export function registerDefinitionMutations(builder: Builder, plugin: WorkflowToolkit) {
  const WorkflowPayload = (name: string) =>
    builder.objectRef<{ workflow: Models.Workflow }>(name).implement({ fields: (t) => ({ workflow: t.prismaField({ type: 'Workflow', resolve: (_query, p) => p.workflow }) }) });

  builder.mutationField('createWorkflow', (t) =>
    t.field({
      type: WorkflowPayload('CreateWorkflowPayload'),
      description: 'Creates a workflow, disabled, with a draft definition (ADMIN).',
      args: {
        input: t.arg({
          type: builder.inputType('CreateWorkflowInput', { fields: (f) => ({ name: f.string({ required: true }), definition: f.field({ type: 'JSON' }) }) }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          const { name, definition } = parseInput(createInput, input);
          const workflow = await scope.tx.workflow.create({
            data: { workspaceId: scope.session.workspaceId, name, draft: (definition ?? { trigger: null, steps: [] }) as object, ...newWorkflowSecrets() },
          });
          scope.emit('workflow.created', { type: 'Workflow', id: workflow.id }, { name });
          return { workflow };
        }),
    }),
  );

  builder.mutationField('updateWorkflowDraft', (t) =>
    t.field({
      type: WorkflowPayload('UpdateWorkflowDraftPayload'),
      description: 'Replaces the draft (and/or renames). Running versions are not touched until the draft is published (ADMIN).',
      args: {
        input: t.arg({
          type: builder.inputType('UpdateWorkflowDraftInput', {
            fields: (f) => ({ id: f.id({ required: true }), name: f.string(), definition: f.field({ type: 'JSON' }) }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          const { name, definition } = parseInput(updateInput, { name: input.name, definition: input.definition });
          const { workflow: current } = await activeWorkflowIn(scope, String(input.id));
          const workflow = await scope.tx.workflow.update({
            where: { id: current.id },
            data: { ...(name ? { name } : {}), ...(definition !== undefined && definition !== null ? { draft: definition as object } : {}) },
          });
          return { workflow };
        }),
    }),
  );

  const PublishPayload = builder.objectRef<{ workflow: Models.Workflow; version: Models.WorkflowVersion }>('PublishWorkflowPayload').implement({
    fields: (t) => ({
      workflow: t.prismaField({ type: 'Workflow', resolve: (_query, p) => p.workflow }),
      version: t.prismaField({ type: 'WorkflowVersion', resolve: (_query, p) => p.version }),
    }),
  });
  builder.mutationField('publishWorkflow', (t) =>
    t.field({
      type: PublishPayload,
      description:
        'Checks the draft completely (BAD_USER_INPUT with extensions.field, e.g. definition.steps.1.title) and publishes it as the next version: new runs start on it, runs under way finish on theirs (ADMIN).',
      args: { input: t.arg({ type: builder.inputType('PublishWorkflowInput', { fields: (f) => ({ id: f.id({ required: true }) }) }), required: true }) },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          const { workflow: current, now } = await activeWorkflowIn(scope, String(input.id));
          const objects = await definitionObjects(plugin.objects, scope.tx, scope.session.workspaceId);
          // Its steps write as the publishing key's role: publishing refuses what that role cannot write.
          const checked = checkDefinition(current.draft, { objects, actions: plugin.actions, events: plugin.events, permissions: context.permissions });
          // Its segment steps' segments: STATIC segments of the workspace (segment-steps.ts).
          await checkSegmentSteps(segmentsIn(scope.tx), checked.plan);
          // One publisher at a time per workflow (its lock, taken by activeWorkflowIn): version numbers stay a sequence.
          const last = await scope.tx.workflowVersion.findFirst({ where: { workflowId: current.id }, orderBy: { number: 'desc' }, select: { number: true } });
          const version = await scope.tx.workflowVersion.create({
            data: {
              workspaceId: scope.session.workspaceId,
              workflowId: current.id,
              number: (last?.number ?? 0) + 1,
              definition: checked.definition as object,
              triggerKey: checked.triggerKey,
              workspaceModel: usesWorkspaceModel(checked.definition, plugin.objects, plugin.actions, plugin.events),
              actingRole: scope.session.role,
              actingRoleId: scope.session.customRole?.id ?? null,
              actingScopes: [...(scope.session.scopes ?? [])],
              actingUserId: scope.session.userId ?? null,
            },
          });
          const workflow = await scope.tx.workflow.update({
            where: { id: current.id },
            data: { publishedVersionId: version.id, nextFireAt: nextFireAtOf(current, version, now), scannedUntil: scannedUntilOf(current, version, now), scanCursor: Prisma.DbNull },
          });
          scope.emit('workflow.published', { type: 'Workflow', id: workflow.id }, { version: version.number, trigger: version.triggerKey });
          return { workflow, version };
        }),
    }),
  );

  builder.mutationField('setWorkflowEnabled', (t) =>
    t.field({
      type: WorkflowPayload('SetWorkflowEnabledPayload'),
      description: 'Enables (needs a published version) or disables a workflow. Runs under way are not affected (ADMIN).',
      args: {
        input: t.arg({
          type: builder.inputType('SetWorkflowEnabledInput', { fields: (f) => ({ id: f.id({ required: true }), enabled: f.boolean({ required: true }) }) }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          const { workflow: current, now } = await workflowToChangeAt(scope, String(input.id));
          if (input.enabled) refuseArchived(current);
          if (input.enabled && !current.publishedVersionId) throw badInput('enabled: publish the workflow first', 'enabled');
          const version = current.publishedVersionId ? await scope.tx.workflowVersion.findUnique({ where: { id: current.publishedVersionId } }) : null;
          const workflow = await scope.tx.workflow.update({
            where: { id: current.id },
            data: {
              enabled: input.enabled,
              nextFireAt: nextFireAtOf({ enabled: input.enabled }, version, now),
              scannedUntil: scannedUntilOf({ enabled: input.enabled, scannedUntil: current.enabled ? current.scannedUntil : null }, version, now),
              ...(input.enabled && current.enabled ? {} : { scanCursor: Prisma.DbNull }),
            },
          });
          if (current.enabled !== input.enabled) scope.emit('workflow.switched', { type: 'Workflow', id: workflow.id }, { enabled: input.enabled });
          return { workflow };
        }),
    }),
  );

  builder.mutationField('archiveWorkflow', (t) =>
    t.field({
      type: WorkflowPayload('ArchiveWorkflowPayload'),
      description:
        'Archives a workflow: disabled for good (it never triggers, is not enabled, edited, published, run by hand or re-run until restored) and left out of `workflows`; its versions and run history stay readable. Runs under way finish on their version (cancel them with cancelWorkflowRun). Archiving an archived workflow changes nothing (ADMIN).',
      args: { input: t.arg({ type: idInput(builder, 'ArchiveWorkflowInput'), required: true }) },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          const current = await workflowToChange(scope, String(input.id));
          if (current.archivedAt) return { workflow: current };
          // As setWorkflowEnabled(false) leaves it: no schedule, no date scan.
          const workflow = await scope.tx.workflow.update({
            where: { id: current.id },
            data: { archivedAt: new Date(), enabled: false, nextFireAt: null, scannedUntil: null, scanCursor: Prisma.DbNull },
          });
          // Switched off too: what the workspace's workflows listen to is read again (triggers/interest.ts).
          if (current.enabled) scope.emit('workflow.switched', { type: 'Workflow', id: workflow.id }, { enabled: false });
          scope.emit('workflow.archived', { type: 'Workflow', id: workflow.id }, { archived: true });
          return { workflow };
        }),
    }),
  );
  builder.mutationField('restoreWorkflow', (t) =>
    t.field({
      type: WorkflowPayload('RestoreWorkflowPayload'),
      description: 'Restores an archived workflow, disabled: enable it again with setWorkflowEnabled. Restoring one that is not archived changes nothing (ADMIN).',
      args: { input: t.arg({ type: idInput(builder, 'RestoreWorkflowInput'), required: true }) },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          const current = await workflowToChange(scope, String(input.id));
          if (!current.archivedAt) return { workflow: current };
          const workflow = await scope.tx.workflow.update({ where: { id: current.id }, data: { archivedAt: null } });
          scope.emit('workflow.archived', { type: 'Workflow', id: workflow.id }, { archived: false });
          return { workflow };
        }),
    }),
  );
}
