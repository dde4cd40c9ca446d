// The host's compile step: every problem of every plugin and of their combination, collected, never the first only.
import fs from 'node:fs';
import path from 'node:path';
import { getDatamodel } from '@crm/db';
import { type Builder, buildSchema } from '@crm/graph';
import semver from 'semver';
import type { Plugin, PluginProblem } from '../definition.js';

/** Entities of core events: a plugin's events must not pose as core ones. */
export const coreEventEntities = new Set([
  'customer', 'lead', 'company', 'deal', 'activity', 'task', 'ticket', 'product', 'order', 'campaign', 'survey',
  'pipeline', 'stage', 'user', 'apikey', 'workspace', 'plugin', 'webhook', 'segment', 'analytics',
]);

/** Orders plugins so that each comes after those it requires; reports missing requirements and cycles. */
export function dependencyOrder(plugins: readonly Plugin[], problems: PluginProblem[]): Plugin[] {
  const byId = new Map(plugins.map((p) => [p.id, p]));
  const ordered: Plugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (plugin: Plugin, trail: string[]) => {
    const seen = state.get(plugin.id);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      problems.push({ plugin: plugin.id, path: 'requires.plugins', message: `circular requirement: ${[...trail, plugin.id].join(' -> ')}` });
      return;
    }
    state.set(plugin.id, 'visiting');
    plugin.requires.plugins.forEach((other, i) => {
      const required = byId.get(other);
      if (required) visit(required, [...trail, plugin.id]);
      else problems.push({ plugin: plugin.id, path: `requires.plugins[${i}]`, message: `requires plugin "${other}", which is not enabled (add it to CRM_PLUGINS or crm.config.json)` });
    });
    state.set(plugin.id, 'done');
    ordered.push(plugin);
  };
  for (const plugin of plugins) visit(plugin, []);
  return ordered;
}

export function checkIdentity(plugins: readonly Plugin[], coreVersion: string, problems: PluginProblem[]) {
  const seen = new Set<string>();
  for (const plugin of plugins) {
    if (seen.has(plugin.id)) problems.push({ plugin: plugin.id, path: 'id', message: 'two enabled plugins have this id' });
    seen.add(plugin.id);
    const range = plugin.requires.core;
    if (range && semver.validRange(range) && !semver.satisfies(coreVersion, range, { includePrerelease: true })) {
      problems.push({ plugin: plugin.id, path: 'requires.core', message: `needs core ${range}; this is core ${coreVersion}` });
    }
  }
}

export function checkEvents(plugins: readonly Plugin[], problems: PluginProblem[]) {
  const owner = new Map<string, string>();
  for (const plugin of plugins) {
    for (const name of Object.keys(plugin.events)) {
      const entity = name.split('.')[0]!;
      if (coreEventEntities.has(entity)) problems.push({ plugin: plugin.id, path: `events["${name}"]`, message: `"${entity}." events belong to the core; name it after your plugin` });
      const other = owner.get(name);
      if (other) problems.push({ plugin: plugin.id, path: `events["${name}"]`, message: `plugin "${other}" already publishes this event` });
      else owner.set(name, plugin.id);
    }
  }
}

/**
 * The plugin's data is in the generated client (its fragment was composed) and tenant-scoped (every model has a
 * `workspaceId`, so the data layer scopes it like a core model).
 */
export function checkData(plugin: Plugin, problems: PluginProblem[]) {
  const { prisma, migrations } = plugin.paths;
  if (migrations && !fs.existsSync(migrations)) problems.push({ plugin: plugin.id, path: 'migrations', message: `folder not found: ${migrations}` });
  if (!prisma) return;
  if (!fs.existsSync(prisma)) return void problems.push({ plugin: plugin.id, path: 'prisma', message: `schema fragment not found: ${prisma}` });
  if (!migrations) problems.push({ plugin: plugin.id, path: 'migrations', message: 'a plugin with a schema fragment needs a migrations folder' });
  const files = fs.statSync(prisma).isDirectory()
    ? fs.readdirSync(prisma).filter((f) => f.endsWith('.prisma')).map((f) => path.join(prisma, f))
    : [prisma];
  const models: Partial<Record<string, { fields: readonly { name: string }[] }>> = getDatamodel().datamodel.models;
  for (const file of files) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(/^\s*model\s+(\w+)\s*\{/gm)) {
      const name = match[1]!;
      const model = models[name];
      if (!model) {
        problems.push({
          plugin: plugin.id,
          path: 'prisma',
          message: `model ${name} is not in the generated client: run \`npm run crm -- plugin add <its folder>\` (or \`npm run generate\`) to compose the schema`,
        });
      } else if (!model.fields.some((f) => f.name === 'workspaceId')) {
        problems.push({ plugin: plugin.id, path: 'prisma', message: `model ${name} needs a workspaceId column: plugin rows are tenant-scoped` });
      }
    }
  }
}

/**
 * Builds the schema plugin by plugin, in dependency order, each on top of those before it. A plugin whose
 * contribution throws (a type or field another plugin already added, a mistake in its code) is reported and left
 * out, and the next ones are still checked: every clash is listed, not only the first.
 */
export function checkGraphql(plugins: readonly Plugin[], problems: PluginProblem[]) {
  const accepted: ((builder: Builder) => void)[] = [];
  for (const plugin of plugins) {
    const register = plugin.registerGraphql;
    if (!register) continue;
    try {
      buildSchema({ extend: [...accepted, register] });
      accepted.push(register);
    } catch (error) {
      problems.push({ plugin: plugin.id, path: 'graphql', message: error instanceof Error ? error.message : String(error) });
    }
  }
}
