// Discovery of the dashboard panels plugins ship: the dashboard asks which panels to show for a slot, and loads each
// module from the gateway (apps/gateway/src/plugin-panel-files.ts serves them at `panelPath`).
import { CrmError } from '@crm/core';
import type { Builder } from '@crm/graph';
import type { DashboardPanelEntry, Plugin } from '../plugin.js';
import type { PluginSwitchboard } from './plugin-switch.js';

/** Where the gateway serves a panel's module. */
export const panelPath = (pluginId: string, panelId: string) => `/plugins/${pluginId}/panels/${panelId}.js`;

export interface HostedPanel extends DashboardPanelEntry {
  readonly plugin: string;
}

export function registerDashboardPanels(builder: Builder, plugins: readonly Plugin[], switchboard: PluginSwitchboard) {
  const panels: HostedPanel[] = plugins.flatMap((p) => p.panels.map((panel) => ({ ...panel, plugin: p.id })));
  const Panel = builder.objectRef<HostedPanel>('DashboardPanel').implement({
    description: 'A dashboard panel a plugin ships (see docs/plugins/dashboard-panels.md).',
    fields: (t) => ({
      id: t.exposeString('id'),
      plugin: t.exposeString('plugin'),
      title: t.exposeString('title'),
      slot: t.exposeString('slot', { description: 'Where it shows: `customer` (the customer page).' }),
      moduleUrl: t.string({
        description: 'Its ES module, on this gateway: `import()` it and call its default export `mount(element, context)`.',
        resolve: (panel) => panelPath(panel.plugin, panel.id),
      }),
    }),
  });
  builder.queryField('dashboardPanels', (t) =>
    t.field({
      type: [Panel],
      authScopes: { authenticated: true },
      description: "The plugins' dashboard panels for a slot, of the plugins switched on in this workspace.",
      args: { slot: t.arg.string({ required: true }) },
      resolve: async (_root, { slot }, context) => {
        if (!context.caller) throw new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>');
        const shown: HostedPanel[] = [];
        for (const panel of panels) if (panel.slot === slot && (await switchboard.isOn(context, panel.plugin))) shown.push(panel);
        return shown;
      },
    }),
  );
}
