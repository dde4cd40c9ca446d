import type { PluginToolkit } from '@crm/plugin-sdk';
import type { WorkflowEvent } from '../events.js';
import type { WorkflowSettings } from '../settings.js';

/** `manage`: edit, publish, switch, read definitions and runs; `run`: start a workflow on a record by hand. */
export type WorkflowPermission = 'manage' | 'run';
export type WorkflowToolkit = PluginToolkit<WorkflowSettings, WorkflowPermission, WorkflowEvent>;
