/// <reference types="@pothos/plugin-scope-auth" preserve="true" />
// The GraphQL surface of the host itself: which plugins run, their permissions, and per-workspace settings
// (read and updated by ADMIN keys). Registered only when at least one plugin is enabled.
import { badInput, CrmError, requireRole } from '@crm/core';
import type { Builder, GraphContext } from '@crm/graph';
import type { Plugin } from '../plugin.js';
import { readPluginState, writePluginSwitch } from '../plugin-state.js';
import { readStoredSettings, writeStoredSettings } from '../settings-store.js';

declare module '@crm/core' {
  interface CrmEventMap {
    'plugin.settings_updated': { pluginId: string; changed: string[] };
    'plugin.switched': { pluginId: string; enabled: boolean };
  }
}


function callerOf(context: GraphContext) {
  if (!context.caller) throw new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>');
  return context.caller;
}

async function currentSettings(plugin: Plugin, context: GraphContext): Promise<Record<string, unknown> | null> {
  if (!plugin.settings) return null;
  const caller = callerOf(context);
  return plugin.settings.read(await readStoredSettings(caller.db, caller.session.workspaceId, plugin.id), caller.session.workspaceId);
}

/** The keys of a settings patch that the plugin's settings do not have, as one BAD_USER_INPUT naming them. */
function refuseUnknownKeys(plugin: Plugin, keys: readonly string[], patch: object) {
  const unknown = Object.keys(patch).filter((key) => !keys.includes(key));
  if (!unknown.length) return;
  throw badInput(
    `settings: ${plugin.id} has no setting${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (its settings: ${keys.join(', ')})`,
    `settings.${unknown[0]}`,
  );
}

export function registerPluginAdmin(builder: Builder, plugins: readonly Plugin[]) {
  const Permission = builder.objectRef<{ name: string; roles: readonly string[]; description?: string | undefined }>('PluginPermission').implement({
    fields: (t) => ({
      name: t.exposeString('name'),
      roles: t.stringList({ resolve: (p) => [...p.roles] }),
      description: t.string({ nullable: true, resolve: (p) => p.description ?? null }),
    }),
  });
  const InstalledPlugin = builder.objectRef<Plugin>('InstalledPlugin').implement({
    description: 'A plugin enabled on this gateway (CRM_PLUGINS).',
    fields: (t) => ({
      id: t.exposeString('id'),
      version: t.exposeString('version'),
      description: t.string({ nullable: true, resolve: (p) => p.description }),
      permissions: t.field({
        type: [Permission],
        resolve: (p) => Object.entries(p.permissions).map(([name, def]) => ({ name, ...def })),
      }),
      events: t.stringList({ description: 'Event types it publishes.', resolve: (p) => Object.keys(p.events) }),
      settings: t.field({
        type: 'JSON',
        nullable: true,
        authScopes: { admin: true },
        description: "This workspace's settings of the plugin, defaults filled in (ADMIN keys); null when it has none.",
        resolve: (p, _args, context) => currentSettings(p, context),
      }),
      enabled: t.boolean({
        description: "Whether the plugin acts in this workspace (hooks, subscribers, jobs, GraphQL fields); ADMIN keys switch it with setPluginEnabled.",
        resolve: async (p, _args, context) => (await readPluginState(callerOf(context).db, callerOf(context).session.workspaceId, p.id)).enabled,
      }),
    }),
  });

  builder.queryField('plugins', (t) =>
    t.field({ type: [InstalledPlugin], authScopes: { authenticated: true }, description: 'The plugins this gateway runs.', resolve: () => [...plugins] }),
  );

  const Input = builder.inputType('UpdatePluginSettingsInput', {
    fields: (t) => ({
      pluginId: t.string({ required: true }),
      settings: t.field({ type: 'JSON', required: true, description: 'The fields to change; the others keep their values.' }),
    }),
  });
  const Payload = builder.objectRef<{ plugin: Plugin }>('UpdatePluginSettingsPayload').implement({
    fields: (t) => ({ plugin: t.field({ type: InstalledPlugin, resolve: (p) => p.plugin }) }),
  });
  builder.mutationField('updatePluginSettings', (t) =>
    t.field({
      type: Payload,
      authScopes: { admin: true },
      args: { input: t.arg({ type: Input, required: true }) },
      resolve: async (_root, { input }, context) => {
        const caller = callerOf(context);
        requireRole(caller.session, 'ADMIN');
        const plugin = plugins.find((p) => p.id === input.pluginId);
        if (!plugin) throw badInput(`pluginId: no enabled plugin "${input.pluginId}"`, 'pluginId');
        const settings = plugin.settings;
        if (!settings) throw badInput(`pluginId: ${plugin.id} has no settings`, 'pluginId');
        const patch = input.settings;
        if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badInput('settings: an object of the fields to change', 'settings');
        refuseUnknownKeys(plugin, settings.keys, patch);
        await caller.run(async (scope) => {
          const stored = await readStoredSettings(scope.tx, scope.session.workspaceId, plugin.id);
          // The patch merges over what reads back (a stale key at its default), then parses strictly.
          const parsed = settings.parse({ ...settings.read(stored, scope.session.workspaceId), ...patch });
          if (!parsed.ok) {
            const issue = parsed.issues[0]!;
            throw badInput(`settings.${issue.path}: ${issue.message}`, `settings.${issue.path}`);
          }
          await writeStoredSettings(scope.tx, scope.session.workspaceId, plugin.id, parsed.value);
          scope.emit('plugin.settings_updated', { type: 'Workspace', id: scope.session.workspaceId }, { pluginId: plugin.id, changed: Object.keys(patch) });
        }, { role: 'ADMIN' });
        return { plugin };
      },
    }),
  );

  const SwitchInput = builder.inputType('SetPluginEnabledInput', {
    fields: (t) => ({ pluginId: t.string({ required: true }), enabled: t.boolean({ required: true }) }),
  });
  const SwitchPayload = builder.objectRef<{ plugin: Plugin }>('SetPluginEnabledPayload').implement({
    fields: (t) => ({ plugin: t.field({ type: InstalledPlugin, resolve: (p) => p.plugin }) }),
  });
  builder.mutationField('setPluginEnabled', (t) =>
    t.field({
      type: SwitchPayload,
      authScopes: { admin: true },
      description:
        'Switches a plugin on or off in this workspace, at once and without a restart. While off, its hooks, subscribers and jobs do nothing here, its root fields fail with FORBIDDEN (extensions.reason PLUGIN_DISABLED) and its fields on core types are null; events of that time are never delivered to it.',
      args: { input: t.arg({ type: SwitchInput, required: true }) },
      resolve: async (_root, { input }, context) => {
        const caller = callerOf(context);
        requireRole(caller.session, 'ADMIN');
        const plugin = plugins.find((p) => p.id === input.pluginId);
        if (!plugin) throw badInput(`pluginId: no enabled plugin "${input.pluginId}"`, 'pluginId');
        await caller.run(async (scope) => {
          const before = await readPluginState(scope.tx, scope.session.workspaceId, plugin.id);
          if (before.enabled === input.enabled) return;
          await writePluginSwitch(scope.tx, scope.session.workspaceId, plugin.id, input.enabled);
          scope.emit('plugin.switched', { type: 'Workspace', id: scope.session.workspaceId }, { pluginId: plugin.id, enabled: input.enabled });
        }, { role: 'ADMIN' });
        return { plugin };
      },
    }),
  );
}
