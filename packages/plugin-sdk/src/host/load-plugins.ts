// Which plugins run: CRM_PLUGINS (ids, comma-separated; empty = none), else crm.config.json's `plugins`, else every
// bundled plugin (the packages under plugins/). Outside plugins are named in crm.config.json by path or package name.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin, PluginProblem } from '../plugin.js';
import type { PluginOrigin } from './checks.js';
import { createPluginHost, type PluginHost } from './plugin-host.js';

/** The repository (or installation) root: where plugins/ and crm.config.json are. */
export const defaultRoot = () => process.env.CRM_ROOT ?? fileURLToPath(new URL('../../../..', import.meta.url));

export interface PluginSource {
  id: string;
  /** `bundled`, or the crm.config.json entry that named it. */
  source: string;
  /** The plugin's package folder. */
  dir: string;
  /** Its package.json `name`. */
  packageName: string | null;
  plugin: Plugin;
}

export interface LoadedPlugins {
  /** Every plugin that could be loaded (bundled + configured). */
  available: PluginSource[];
  /** The ones selected to run. */
  enabled: Plugin[];
  /** Where each enabled plugin came from, to name both sides of a clash. */
  origins: Map<Plugin, PluginOrigin>;
  problems: PluginProblem[];
  /** How the selection was made, for logs: `CRM_PLUGINS`, `crm.config.json` or `bundled`. */
  selectedBy: 'CRM_PLUGINS' | 'crm.config.json' | 'bundled';
}

export interface LoadPluginsOptions {
  env?: NodeJS.ProcessEnv;
  root?: string;
  /** @default `<root>/crm.config.json` (or CRM_CONFIG) */
  configFile?: string;
  /** Every bundled plugin, whatever CRM_PLUGINS and crm.config.json say (the committed schema.graphql). */
  bundledOnly?: boolean;
}

interface CrmConfig {
  plugins?: string[];
}

export function readConfig(file: string): CrmConfig | null {
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CrmConfig;
}

const manifestOf = (dir: string) => {
  const file = path.join(dir, 'package.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }) : null;
};

/** The module a package folder exports (its `exports["."]` or `main`). */
function entryOf(dir: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    main?: string;
    exports?: string | { '.'?: string | { import?: string; default?: string } };
  };
  const dot = typeof manifest.exports === 'string' ? manifest.exports : manifest.exports?.['.'];
  const entry = typeof dot === 'string' ? dot : (dot?.import ?? dot?.default ?? manifest.main ?? 'index.js');
  return path.join(dir, entry);
}

function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'crm-plugin';
}

/** Imports a plugin package (its default export, or an export named `plugin`). */
export async function importPlugin(dirOrFile: string): Promise<{ dir: string; plugin: Plugin }> {
  const isDir = fs.existsSync(dirOrFile) && fs.statSync(dirOrFile).isDirectory();
  const file = isDir ? entryOf(dirOrFile) : dirOrFile;
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist (is the plugin built? npm run build)`);
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown; plugin?: unknown };
  const plugin = isPlugin(module.default) ? module.default : isPlugin(module.plugin) ? module.plugin : null;
  if (!plugin) throw new Error(`${file} exports no plugin (export default definePlugin({...}))`);
  return { dir: isDir ? dirOrFile : path.dirname(file), plugin };
}

/** Folders of the bundled plugins: every package under `<root>/plugins/`. */
export function bundledPluginDirs(root: string): string[] {
  const dir = path.join(root, 'plugins');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'package.json')))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/**
 * Resolves a crm.config.json entry that is a path or a package name to a folder. Package folders are found the way
 * Node looks them up (node_modules of `base`, then of each parent), not through `require.resolve`, which a package's
 * `exports` map may forbid for `package.json`.
 */
export function resolveConfigEntry(entry: string, base: string): string {
  if (entry.startsWith('.') || path.isAbsolute(entry)) return path.resolve(base, entry);
  for (let dir = path.resolve(base); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', entry);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`package ${entry} is not installed`);
  }
}

const isBareId = (entry: string) => /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(entry);

export async function loadPlugins(options: LoadPluginsOptions = {}): Promise<LoadedPlugins> {
  const env = options.env ?? process.env;
  const root = options.root ?? defaultRoot();
  const configFile = options.configFile ?? (env.CRM_CONFIG ? path.resolve(env.CRM_CONFIG) : path.join(root, 'crm.config.json'));
  const problems: PluginProblem[] = [];
  const available: PluginSource[] = [];
  // A package that fails to import matters only if it is selected (its folder name stands for its id).
  const failures: PluginProblem[] = [];
  const add = async (dir: string, source: string) => {
    try {
      const { plugin } = await importPlugin(dir);
      const real = fs.realpathSync(dir);
      const known = available.find((a) => a.dir === real);
      if (known) return known;
      const found = { id: plugin.id, source, dir: real, packageName: manifestOf(dir)?.name ?? null, plugin };
      available.push(found);
      return found;
    } catch (error) {
      failures.push({ plugin: path.basename(dir), path: source, message: error instanceof Error ? error.message : String(error) });
      return null;
    }
  };
  for (const dir of bundledPluginDirs(root)) await add(dir, 'bundled');

  const config = options.bundledOnly ? null : readConfig(configFile);
  // A path or package entry selects exactly the package it names; a bare id is looked up among the others.
  const configured: (string | PluginSource)[] = [];
  for (const [i, entry] of (config?.plugins ?? []).entries()) {
    if (isBareId(entry)) {
      configured.push(entry);
      continue;
    }
    let dir: string;
    try {
      dir = resolveConfigEntry(entry, path.dirname(configFile));
    } catch {
      problems.push({ plugin: entry, path: `crm.config.json plugins[${i}]`, message: `package not installed: npm install ${entry}` });
      continue;
    }
    configured.push((await add(dir, entry)) ?? path.basename(dir));
  }

  const raw = options.bundledOnly ? undefined : env.CRM_PLUGINS;
  const selectedBy = raw !== undefined ? 'CRM_PLUGINS' : config?.plugins ? 'crm.config.json' : 'bundled';
  const wanted: readonly (string | PluginSource)[] =
    selectedBy === 'CRM_PLUGINS'
      ? raw!.split(',').map((s) => s.trim()).filter(Boolean)
      : selectedBy === 'crm.config.json'
        ? configured
        : available.filter((a) => a.source === 'bundled');
  if (selectedBy === 'bundled') problems.push(...failures);
  const chosen: PluginSource[] = [];
  for (const want of wanted) {
    if (typeof want !== 'string') {
      if (!chosen.includes(want)) chosen.push(want);
      continue;
    }
    const candidates = available.filter((a) => a.id === want);
    const failed = failures.filter((f) => f.plugin === want);
    if (candidates.length === 1) {
      if (!chosen.includes(candidates[0]!)) chosen.push(candidates[0]!);
    } else if (candidates.length > 1) {
      // Two packages claim the id: name both (the host would otherwise run whichever was found first).
      chosen.push(...candidates.filter((c) => !chosen.includes(c)));
    } else if (failed.length) problems.push(...failed);
    else {
      problems.push({
        plugin: want,
        path: selectedBy,
        message: `no such plugin (available: ${[...new Set(available.map((a) => a.id))].join(', ') || 'none'})`,
      });
    }
  }
  const enabled = chosen.map((c) => c.plugin);
  const origins = new Map(chosen.map((c) => [c.plugin, { source: c.source, dir: c.dir, packageName: c.packageName }]));
  return { available, enabled, origins, problems, selectedBy };
}

/** Loads the configured plugins and composes them: what the gateway's `main` and the CLI call. */
export async function pluginHostFromEnvironment(options: LoadPluginsOptions = {}): Promise<{ host: PluginHost; loaded: LoadedPlugins }> {
  const loaded = await loadPlugins(options);
  return { host: createPluginHost(loaded.enabled, { problems: loaded.problems, origins: loaded.origins }), loaded };
}
