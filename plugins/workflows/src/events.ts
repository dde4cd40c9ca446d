import { type DriftedEventPayloads, z } from '@crm/plugin-sdk';

// The workflows plugin's own events (subjects are its rows). Declared here, typed by declaration merging.
declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    'workflow.created': { name: string };
    'workflow.published': { version: number; trigger: string };
    'workflow.switched': { enabled: boolean };
    /** A secret was replaced (which one; never its value): the old one is refused from now on. */
    'workflow.secret_rotated': { secret: 'webhookUrl' | 'signingSecret' };
    /** Archived (never triggers again; its history stays) or restored (disabled, to enable again). */
    'workflow.archived': { archived: boolean };
    /** A person started, or started again, a run (manual runs, re-runs). */
    'workflow.run_requested': { workflowId: string; recordId: string | null; rerunOf: string | null };
    'workflow.run_cancelled': { workflowId: string };
    /** A person cancelled the workflow's runs that had not finished (cancelWorkflowRuns): how many, of which statuses. */
    'workflow.runs_cancelled': { count: number; statuses: string[] };
    /** A person started the workflow on a selection of records (one run each). */
    'workflow.runs_requested': { count: number; filter: object | null };
    /** A chain reached `maxDepth`: the event (of a step of the subject workflow) started none of `workflowIds`. */
    'workflow.depth_limit_reached': { maxDepth: number; eventId: string; eventType: string; workflowIds: string[] };
  }
}

export const workflowEvents = {
  'workflow.created': { subject: 'Workflow', description: 'A workflow was created', read: 'manage', payload: z.object({ name: z.string() }) },
  'workflow.published': {
    subject: 'Workflow',
    description: 'A workflow’s draft was published as a new version',
    read: 'manage',
    payload: z.object({ version: z.number(), trigger: z.string() }),
  },
  'workflow.switched': { subject: 'Workflow', description: 'A workflow was enabled or disabled', read: 'manage', payload: z.object({ enabled: z.boolean() }) },
  'workflow.secret_rotated': {
    subject: 'Workflow',
    description: 'A workflow’s webhook URL or signing secret was replaced',
    read: 'manage',
    payload: z.object({ secret: z.enum(['webhookUrl', 'signingSecret']) }),
  },
  'workflow.archived': { subject: 'Workflow', description: 'A workflow was archived or restored', read: 'manage', payload: z.object({ archived: z.boolean() }) },
  'workflow.run_requested': {
    subject: 'WorkflowRun',
    description: 'A run was started by hand, or started again',
    read: 'manage',
    payload: z.object({ workflowId: z.uuid(), recordId: z.string().nullable(), rerunOf: z.uuid().nullable() }),
  },
  'workflow.run_cancelled': { subject: 'WorkflowRun', description: 'A run was cancelled', read: 'manage', payload: z.object({ workflowId: z.uuid() }) },
  'workflow.runs_cancelled': {
    subject: 'Workflow',
    description: 'The workflow’s runs under way were cancelled at once',
    read: 'manage',
    payload: z.object({ count: z.number(), statuses: z.array(z.string()) }),
  },
  'workflow.runs_requested': {
    subject: 'Workflow',
    description: 'The workflow was started on a selection of records',
    read: 'manage',
    payload: z.object({ count: z.number(), filter: z.custom<object>((value) => typeof value === 'object').nullable() }),
  },
  'workflow.depth_limit_reached': {
    subject: 'Workflow',
    description: 'A chain set off by the workflow’s steps reached the depth limit: the workflows it would have started did not start',
    read: 'manage',
    payload: z.object({ maxDepth: z.number(), eventId: z.string(), eventType: z.string(), workflowIds: z.array(z.uuid()) }),
  },
} as const;

export type WorkflowEvent = keyof typeof workflowEvents;

// The declared payloads are the event map's types (both ways), or this does not compile.
const drifted: { [K in DriftedEventPayloads<typeof workflowEvents>]: 'its payload and its CrmEventMap type differ' } = {};
void drifted;
