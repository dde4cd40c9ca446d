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
  'workflow.created': { subject: 'Workflow', description: 'A workflow was created', read: 'manage' },
  'workflow.published': { subject: 'Workflow', description: 'A workflow’s draft was published as a new version', read: 'manage' },
  'workflow.switched': { subject: 'Workflow', description: 'A workflow was enabled or disabled', read: 'manage' },
  'workflow.secret_rotated': { subject: 'Workflow', description: 'A workflow’s webhook URL or signing secret was replaced', read: 'manage' },
  'workflow.archived': { subject: 'Workflow', description: 'A workflow was archived or restored', read: 'manage' },
  'workflow.run_requested': { subject: 'WorkflowRun', description: 'A run was started by hand, or started again', read: 'manage' },
  'workflow.run_cancelled': { subject: 'WorkflowRun', description: 'A run was cancelled', read: 'manage' },
  'workflow.runs_cancelled': { subject: 'Workflow', description: 'The workflow’s runs under way were cancelled at once', read: 'manage' },
  'workflow.runs_requested': { subject: 'Workflow', description: 'The workflow was started on a selection of records', read: 'manage' },
  'workflow.depth_limit_reached': {
    subject: 'Workflow',
    description: 'A chain set off by the workflow’s steps reached the depth limit: the workflows it would have started did not start',
    read: 'manage',
  },
} as const;

export type WorkflowEvent = keyof typeof workflowEvents;
