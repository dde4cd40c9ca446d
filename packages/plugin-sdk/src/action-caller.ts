// Calling another plugin's action (`loyalty.awardPoints`) from inside a transaction: the input checked with the
// action's own schema, its plugin's switch and settings read in the same transaction, the action run as the
// current session so that its events name who set it off.
import { type CommandScope, CrmError, notFound } from '@crm/core';
import type { ActionCaller } from './actions.js';
import type { HostServices } from './plugin.js';
import { readPluginState } from './plugin-state.js';

export function actionCaller(services: HostServices, scope: Pick<CommandScope, 'tx' | 'emit' | 'session'>): ActionCaller {
  return {
    available: services.actions.map(({ run: _run, ...info }) => info),
    async call(name, input) {
      const action = services.actions.find((a) => a.name === name);
      if (!action) throw notFound(`action ${name}`, 'action');
      const state = await readPluginState(scope.tx, scope.session.workspaceId, action.plugin);
      if (!state.enabled) {
        throw new CrmError('FORBIDDEN', `The ${action.plugin} plugin is switched off in this workspace`, undefined, { reason: 'PLUGIN_DISABLED', plugin: action.plugin });
      }
      return action.run(input, { tx: scope.tx, emit: scope.emit, session: scope.session, settings: state.settings, services });
    },
  };
}
