// Calling another plugin's action (`loyalty.awardPoints`) from inside a transaction: the input checked with the
// action's own schema, its plugin's switch and settings read in the same transaction, the action run as the
// current session so that its events name who set it off. Called `as` a role, the action runs as that role would meet
// the transaction (`actingScope`: its session, the transaction narrowed to the rows it may see and write, its
// tools bounded by its permissions), as the host's own command and record steps do. Each call runs in a savepoint (savepoint.ts): a failed action leaves nothing.
import { type CommandScope, CrmError, forbidden, notFound } from '@crm/core';
import type { ActionCaller } from './actions.js';
import type { HostServices } from './plugin.js';
import { readPluginState } from './plugin-state.js';
import { inSavepoint } from './savepoint.js';
import { actingScope } from './record-writes.js';

export function actionCaller(services: HostServices, scope: Pick<CommandScope, 'tx' | 'emit' | 'session' | 'permissions'>): ActionCaller {
  return {
    available: services.actions.map(({ run: _run, ...info }) => info),
    async call(name, input, options) {
      const action = services.actions.find((a) => a.name === name);
      if (!action) throw notFound(`action ${name}`, 'action');
      const acting = options?.as ? await actingScope(scope, services.objects.catalog, options.as) : null;
      if (acting && action.permission) {
        // The decision is the key's permissions' (core): a custom role names it, scopes narrow it.
        const { name: permission, roles } = action.permission;
        if (!acting.permissions.holdsPluginPermission(action.plugin, permission, roles)) {
          throw forbidden(`${name} needs the ${action.plugin} permission "${permission}" (roles: ${roles.join(', ')}), which the acting role does not hold`);
        }
      }
      const state = await readPluginState(scope.tx, scope.session.workspaceId, action.plugin);
      if (!state.enabled) {
        throw new CrmError('FORBIDDEN', `The ${action.plugin} plugin is switched off in this workspace`, undefined, { reason: 'PLUGIN_DISABLED', plugin: action.plugin });
      }
      // Called `as` a role, the action's tools are bounded by its permissions (its sql, records, commands); else by the
      // caller's own (a plain call from an action called `as` a role stays within that role).
      const { tx, session, permissions } = acting ?? scope;
      // Nothing it did is kept when it fails (its error, an output its declaration refuses), whoever calls it: a
      // subscriber that catches the error and goes on commits its own writes, not the action's, nor its events.
      return inSavepoint(scope, 'crm_action', (emit) => action.run(input, { tx, emit, session, settings: state.settings, services, ...(permissions ? { permissions } : {}) }));
    },
  };
}
