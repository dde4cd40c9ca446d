// The host's compile step: every problem of every plugin and of their combination, collected, never the first only.
import fs from 'node:fs';
import path from 'node:path';
import { getDatamodel } from '@crm/db';
import semver from 'semver';
import type { Plugin, PluginProblem } from '../plugin.js';
import { coreModels, declaredModels } from './fragment-models.js';

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

/** Where a plugin was loaded from, to name both sides of a clash. */
export interface PluginOrigin {
  /** `bundled`, or the crm.config.json entry that named it. */
  source: string;
  /** Its package folder. */
  dir: string;
  /** Its package.json `name`. */
  packageName: string | null;
}

export type Origins = ReadonlyMap<Plugin, PluginOrigin>;

/** `package crm-plugin-nps at /x/nps (crm.config.json entry ./nps)`, or the plugin's own paths when it was given directly. */
export function describeOrigin(plugin: Plugin, origins: Origins): string {
  const origin = origins.get(plugin);
  if (origin) return `${origin.packageName ? `package ${origin.packageName}` : 'a package'} at ${origin.dir} (${origin.source === 'bundled' ? 'bundled' : `crm.config.json entry ${origin.source}`})`;
  return plugin.paths.prisma ? `the plugin with schema ${plugin.paths.prisma}` : `plugin ${plugin.id}@${plugin.version}`;
}

export function checkIdentity(plugins: readonly Plugin[], coreVersion: string, problems: PluginProblem[], origins: Origins = new Map()) {
  const seen = new Map<string, Plugin>();
  const packages = new Map<string, Plugin>();
  for (const plugin of plugins) {
    const twin = seen.get(plugin.id);
    if (twin) {
      problems.push({ plugin: plugin.id, path: 'id', message: `two enabled plugins have this id: ${describeOrigin(twin, origins)} and ${describeOrigin(plugin, origins)}` });
    }
    seen.set(plugin.id, plugin);
    const name = origins.get(plugin)?.packageName;
    const samePackage = name ? packages.get(name) : undefined;
    if (name && samePackage) {
      problems.push({ plugin: plugin.id, path: 'package', message: `two enabled plugins come from the package ${name}: ${describeOrigin(samePackage, origins)} and ${describeOrigin(plugin, origins)}` });
    }
    if (name) packages.set(name, plugin);
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
  for (const panel of plugin.panels) {
    if (!fs.existsSync(panel.file)) problems.push({ plugin: plugin.id, path: `dashboard.panels.${panel.id}.module`, message: `not found: ${panel.file} (is the plugin built?)` });
  }
  const { prisma, migrations } = plugin.paths;
  if (migrations && !fs.existsSync(migrations)) problems.push({ plugin: plugin.id, path: 'migrations', message: `folder not found: ${migrations}` });
  if (!prisma) return;
  if (!fs.existsSync(prisma)) return void problems.push({ plugin: plugin.id, path: 'prisma', message: `schema fragment not found: ${prisma}` });
  if (!migrations) problems.push({ plugin: plugin.id, path: 'migrations', message: 'a plugin with a schema fragment needs a migrations folder' });
  const files = fs.statSync(prisma).isDirectory()
    ? fs.readdirSync(prisma).filter((f) => f.endsWith('.prisma')).map((f) => path.join(prisma, f))
    : [prisma];
  const models: Partial<Record<string, { fields: readonly { name: string; type?: string; isRequired?: boolean }[] }>> = getDatamodel().datamodel.models;
  // An object that takes custom fields keeps their values in its own `customFields Json @default("{}")` column.
  for (const object of plugin.objects.filter((o) => o.customFields)) {
    const model = object.model ?? object.name;
    const column = models[model]?.fields.find((f) => f.name === 'customFields');
    // A model missing from the client is reported below.
    if (models[model] && (column?.type !== 'Json' || !column.isRequired)) {
      problems.push({
        plugin: plugin.id,
        path: `objects.${object.name}.customFields`,
        message: `model ${model} needs \`customFields Json @default("{}")\` (and its migration) to take custom fields`,
      });
    }
  }
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
 * No two plugins declare the same model or table, and no plugin declares a core one: the composed schema would not
 * generate, or one plugin would write into the other's rows. Each clash names both sides and their files.
 */
export function checkModels(plugins: readonly Plugin[], problems: PluginProblem[]) {
  const models = new Map<string, string>();
  const tables = new Map<string, string>();
  for (const model of coreModels()) {
    models.set(model.name, 'the core');
    tables.set(model.table, 'the core');
  }
  for (const plugin of plugins) {
    if (!plugin.paths.prisma) continue;
    for (const model of declaredModels(plugin.paths.prisma)) {
      const here = `plugin "${plugin.id}" (${model.file})`;
      const modelOwner = models.get(model.name);
      if (modelOwner) problems.push({ plugin: plugin.id, path: 'prisma', message: `model ${model.name} in ${model.file} is also declared by ${modelOwner}` });
      else models.set(model.name, here);
      const tableOwner = tables.get(model.table);
      if (tableOwner && !modelOwner) problems.push({ plugin: plugin.id, path: 'prisma', message: `table "${model.table}" (model ${model.name} in ${model.file}) is also used by ${tableOwner}` });
      else if (!tableOwner) tables.set(model.table, here);
    }
  }
}
