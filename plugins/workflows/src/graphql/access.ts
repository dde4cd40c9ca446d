// Who reads what of the workflow types, declared once on the types themselves (Pothos scope-auth), whatever path
// reaches them (root fields, mutation payloads, `node(id:)`, one type's field to another):
// - a key holding `manage` reads everything;
// - a key holding only `run` reads a summary of the runs it has just started, in runWorkflow's and
//   runWorkflowOnRecords' payloads: the run's id, status, timing and record, its steps' status and timing, and the
//   workflow's id, name and state and the version's number and trigger (not the secret, definitions, record
//   snapshots, step input, output or errors, nor other runs);
// - anything else is FORBIDDEN (a READ_ONLY key's `node(id:)` of a workflow, a run or a version included).
import { forbidden, isCrmError } from '@crm/plugin-sdk';
import type { GraphContext } from '@crm/plugin-sdk';
import type { WorkflowPermission, WorkflowToolkit } from './toolkit.js';

/** Granted by the payloads of runWorkflow and runWorkflowOnRecords to the runs they started, and passed down by a run to its workflow, version and steps. */
export const RUN_SUMMARY = 'workflows.runSummary';
/** Granted by each workflow type to its instances when the key holds `manage`: what its manage-only fields ask for. */
const MANAGE = 'workflows.manage';

/** Whether the request's key holds the permission (`plugin.authorize` without the error). */
export function holds(plugin: WorkflowToolkit, context: GraphContext, permission: WorkflowPermission): boolean {
  try {
    plugin.authorize(context, permission);
    return true;
  } catch (error) {
    if (isCrmError(error) && (error.code === 'FORBIDDEN' || error.code === 'UNAUTHENTICATED')) return false;
    throw error;
  }
}

/** The options that guard a workflow type: `manage` reads it all, a run summary (granted by the path) its summary fields. */
export function workflowTypeAccess(plugin: WorkflowToolkit) {
  return {
    authScopes: (_parent: unknown, context: GraphContext) => holds(plugin, context, 'manage') || { $granted: RUN_SUMMARY },
    grantScopes: (_parent: unknown, context: GraphContext) => (holds(plugin, context, 'manage') ? [MANAGE] : []),
  };
}

/** The options of a field only `manage` reads (on a type guarded by {@link workflowTypeAccess}). */
export const manageOnly = {
  authScopes: { $granted: MANAGE },
  unauthorizedError: () => forbidden('This field needs the workflows permission "manage" (ADMIN): a run-only key reads a summary of the runs it starts'),
} as const;

/** The options of a field that passes the run summary down to the object it returns. */
export const passSummary = { grantScopes: [RUN_SUMMARY] };
