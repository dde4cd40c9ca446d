// The workspace's sender, checked against the operator's allowed domains when an ADMIN saves it. Not in the settings'
// schema: that schema also reads the stored settings, and the operator's list may change after a save (an old sender
// then fails its sends, mail/addresses.ts, instead of resetting the workspace's other settings).
import { badInput } from '@crm/plugin-sdk';
import type { WorkflowSettings } from '../settings.js';
import { senderDomainProblem } from './addresses.js';

// The host's event (its settings mutation, plugin-sdk host/settings-graphql.ts), not in the plugin-facing types.
declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    'plugin.settings_updated': { pluginId: string; changed: string[] };
  }
}

/** Hook on `plugin.settings_updated` (inside the saving transaction): a sender the operator does not allow is vetoed. */
export async function checkSavedSender(saved: { pluginId: string; changed: string[] }, settings: WorkflowSettings): Promise<void> {
  if (saved.pluginId !== 'workflows' || !saved.changed.includes('emailFrom')) return;
  const problem = senderDomainProblem(settings.emailFrom);
  if (problem) throw badInput(`settings.emailFrom: ${problem}`, 'settings.emailFrom');
}
