// `crm plugin new|add|list|generate|migration|pack`: what a plugin author and an operator need, each in one command.
// `crm plugin dev` (the watch loop) is in plugin-dev.ts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importPlugin, loadPlugins, resolveConfigEntry } from '@crm/plugin-sdk/host';
import {
  addToConfig,
  createMigrationFor,
  findClashes,
  isInside,
  packPublishedPackages,
  pluginFolder,
  publishedPackages,
  regenerateClient,
  scaffoldPlugin,
  type SdkSource,
} from '@crm/plugin-sdk/tooling';
import { UsageError } from './args.js';
import { type CliCommand, CommandError } from './command.js';
import { asCommandError, installationRoot, isCheckout, loadOrFail, log, positionals } from './plugin-support.js';

const cliMain = fileURLToPath(new URL('./main.js', import.meta.url));
const shadowDatabase = () => (process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {});

/** The plugin folders to compose besides the installed ones: `dir` when it is outside the installation. */
const outsideOf = (root: string, dir: string | undefined) => (dir && !isInside(dir, root) ? [path.resolve(dir)] : []);
/** A plugin's own folder is its own installation (its node_modules hold the SDK, the kit and the client). */
const rootFor = (dir: string) => (isCheckout(installationRoot()) ? installationRoot() : path.resolve(dir));

export const pluginNew: CliCommand = {
  summary: 'scaffolds a plugin package (schema fragment, type, mutation, subscriber, passing test, README)',
  usage: '<name> [--dir DIR] [--sdk local|npm] [--packs DIR]',
  help: [
    'Writes plugins/<name> (or DIR) and its first migration. Inside the repository it also composes the schema,',
    'regenerates the client and links the package (then: npm test -w @crm/plugin-<name>). Outside (DIR elsewhere) it',
    'writes a standalone package: cd DIR && npm install && npm test. --sdk says where that package gets the SDK and',
    'the kit: "local" (default from a checkout) packs them from this checkout into .crm/packs (or uses the tarballs',
    'already in --packs DIR, from crm plugin pack --out DIR); "npm" uses the registry.',
    'Prints {"plugin","dir","package","files":[…],"migration","foreignKeys":[…]}.',
  ].join('\n'),
  prepare(argv) {
    const { args, flags } = positionals(argv, 1, 'a plugin name, e.g. gift-cards', { dir: true, sdk: true, packs: true });
    const id = args[0]!;
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(id)) throw new UsageError(`"${id}" is not a kebab-case name (e.g. gift-cards)`);
    if (flags.sdk && !['local', 'npm'].includes(flags.sdk)) throw new UsageError('--sdk must be local or npm');
    return {
      offline: async () => {
        const root = installationRoot();
        const dir = path.resolve(flags.dir ?? path.join(root, 'plugins', id));
        const inside = isInside(dir, root);
        let sdk: SdkSource | undefined;
        if (!inside && flags.packs) {
          sdk = { kind: 'tarballs', files: await asCommandError(() => tarballsIn(path.resolve(flags.packs!), root)) };
        } else if (!inside && (flags.sdk ?? (isCheckout(root) ? 'local' : 'npm')) === 'local') {
          if (!isCheckout(root)) throw new CommandError('--sdk local needs a repository checkout; use --sdk npm');
          log('packing the SDK, the kit and the packages they need (npm pack) into .crm/packs…');
          sdk = { kind: 'tarballs', files: await asCommandError(() => packPublishedPackages(root, path.join(root, '.crm/packs'))) };
        }
        const scaffold = await asCommandError(() => scaffoldPlugin({ id, dir, root, ...(sdk ? { sdk } : {}) }));
        log(`wrote ${dir}; creating the first migration (Prisma's schema engine)…`);
        const migration = await createMigrationFor(await pluginFolder(dir), 'init', shadowDatabase());
        if (inside) {
          regenerateClient({ root, log });
          log('linking the package into the workspace (npm install)…');
          execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
        } else {
          log(`next: cd ${dir} && npm install && npm test`);
        }
        return {
          plugin: id,
          dir,
          package: scaffold.packageName,
          files: scaffold.files,
          migration: migration.folder ? path.relative(dir, migration.folder) : null,
          foreignKeys: migration.foreignKeys,
        };
      },
    };
  },
};

/** The tarballs `crm plugin pack --out DIR` wrote, one per published package. */
function tarballsIn(dir: string, root: string): Record<string, string> {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const tarballs: Record<string, string> = {};
  for (const name of publishedPackages(root).keys()) {
    const file = files.find((f) => f.startsWith(`${name.slice(1).replace('/', '-')}-`) && f.endsWith('.tgz'));
    if (!file) throw new Error(`${dir} has no tarball of ${name}: crm plugin pack --out ${dir} first`);
    tarballs[name] = path.join(dir, file);
  }
  return tarballs;
}

export const pluginAdd: CliCommand = {
  summary: 'installs a plugin (package name or path): config, schema composition, client generation, migrations',
  usage: '<package name or path>',
  help: [
    'Refuses a plugin whose package name or id is already installed (naming both). Adds it to crm.config.json (created',
    'with the bundled plugins if missing), composes its schema fragment into the one Prisma client and applies the',
    'migrations. The plugin must be built. A plugin from npm: npm install <package> first.',
    'Prints {"plugin","version","entry","configFile","migrations"}.',
  ].join('\n'),
  prepare(argv) {
    const { args } = positionals(argv, 1, 'a package name or a path');
    const given = args[0]!;
    return {
      offline: async () => {
        const root = installationRoot();
        const isPath = given.startsWith('.') || path.isAbsolute(given);
        let dir: string;
        try {
          dir = isPath ? path.resolve(given) : resolveConfigEntry(given, root);
        } catch {
          throw new CommandError(`Package ${given} is not installed: npm install ${given} first`);
        }
        if (!fs.existsSync(path.join(dir, 'package.json'))) throw new CommandError(`${dir} has no package.json: not a plugin package`);
        refuseOwnCopies(dir, root);
        const candidate = await importPlugin(dir).then(({ plugin }) => plugin, () => null);
        const { available, enabled } = await loadPlugins({ root, env: {} });
        const clashes = findClashes({ dir, id: candidate?.id ?? null }, available);
        if (clashes.length) throw new CommandError(`Cannot add ${dir}:\n${clashes.map((c) => `  - ${c}`).join('\n')}`);
        const plugin = await loadOrFail(dir);
        const relative = path.relative(root, dir);
        // Inside the installation: a relative entry (the folder can move with it); outside: the absolute path.
        const entry = !isPath ? given : relative.startsWith('..') ? dir : `./${relative.split(path.sep).join('/')}`;
        const configFile = path.join(root, 'crm.config.json');
        const before = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : null;
        addToConfig(configFile, entry, enabled.map((p) => p.id));
        try {
          await asCommandError(() => regenerateClient({ root, log }));
        } catch (error) {
          // Nothing half-done: the config goes back to what it was.
          if (before === null) fs.rmSync(configFile);
          else fs.writeFileSync(configFile, before);
          throw error;
        }
        log(`${entry} added to ${configFile}; applying migrations…`);
        // A new process: it loads the client generated just now.
        const output = execFileSync(process.execPath, [cliMain, 'migrate'], { encoding: 'utf8', stdio: ['ignore', 'pipe', process.stderr] });
        const migrations = JSON.parse(output.trim().split('\n').pop() ?? '{}') as object;
        return { plugin: plugin.id, version: plugin.version, entry, configFile, migrations };
      },
    };
  },
};

/**
 * A plugin folder with its own SDK in node_modules (developed outside, `npm install`ed there) would load a second
 * copy of the SDK, graphql and Pothos beside the host's ("Duplicate graphql modules"): install it as a package.
 */
function refuseOwnCopies(dir: string, root: string) {
  const own = path.join(dir, 'node_modules/@crm/plugin-sdk');
  const host = path.join(root, 'node_modules/@crm/plugin-sdk');
  if (fs.existsSync(own) && (!fs.existsSync(host) || fs.realpathSync(own) !== fs.realpathSync(host))) {
    throw new CommandError(
      [
        `${dir} has its own copy of @crm/plugin-sdk (node_modules): the gateway would load two copies of the SDK and of graphql.`,
        'Install it as a package instead (its SDK is a peer dependency, so it uses this installation\'s):',
        `  (cd ${dir} && npm pack) && npm install ${dir}/<name>-<version>.tgz && npm run crm -- plugin add <name>`,
        `or run a gateway from the plugin's own folder: cd ${dir} && npm run dev`,
      ].join('\n'),
    );
  }
}

export const pluginList: CliCommand = {
  summary: 'lists installed plugins and which run (CRM_PLUGINS, crm.config.json)',
  usage: '',
  help: 'Prints {"selectedBy","plugins":[{"id","version","source","enabled"}],"problems":[…]}.',
  prepare(argv) {
    positionals(argv, 0, 'no arguments');
    return {
      offline: async () => {
        const { available, enabled, problems, selectedBy } = await loadPlugins({ root: installationRoot() });
        return {
          selectedBy,
          plugins: available.map((a) => ({ id: a.id, version: a.plugin.version, source: a.source, enabled: enabled.includes(a.plugin) })),
          problems,
        };
      },
    };
  },
};

export const pluginGenerate: CliCommand = {
  summary: 'composes core + installed plugin fragments into the one Prisma client (only when a fragment changed)',
  usage: '[plugin dir]',
  help: [
    'In a repository checkout: every bundled and configured plugin (+ the folder given). In a plugin\'s own folder',
    '(the SDK installed from npm): core + that plugin, into its node_modules/@crm/db. Rebuilds nothing else.',
    'Prints {"generated","schemaHash","seconds"} (generated false: the composed schema was unchanged).',
  ].join('\n'),
  prepare(argv) {
    const { args } = positionals(argv, argv.length ? 1 : 0, 'at most one plugin folder');
    return {
      offline: async () => {
        const started = performance.now();
        const root = args[0] ? rootFor(args[0]) : installationRoot();
        const result = await asCommandError(() => regenerateClient({ root, plugins: outsideOf(root, args[0]), log }));
        return { ...result, seconds: Math.round((performance.now() - started) / 100) / 10 };
      },
    };
  },
};

export const pluginMigration: CliCommand = {
  summary: "creates a plugin's next migration from its schema fragment (no build needed)",
  usage: '<plugin dir> <name>',
  help: [
    'Diffs core + the fragments of the plugin and those it requires against their migrations (Prisma schema engine),',
    'and adds foreign keys to core rows for the fragment\'s new <coreModel>Id columns (customerId → Customer, ON DELETE',
    'CASCADE; /// @references(Model) names another). Set DATABASE_URL to use PostgreSQL for the shadow database (fast).',
    'Prints {"plugin","created","foreignKeys":[…],"unresolvedReferences":[…]} (created null: nothing changed).',
  ].join('\n'),
  prepare(argv) {
    const { args } = positionals(argv, 2, 'a plugin folder and a migration name');
    return {
      offline: async () => {
        const target = await asCommandError(() => pluginFolder(path.resolve(args[0]!)));
        const created = await createMigrationFor(target, args[1]!, { ...shadowDatabase(), root: installationRoot() });
        for (const column of created.unresolvedReferences) {
          log(`warning: ${column} looks like a reference but names no core model: no foreign key (add /// @references(Model), or /// @references(none))`);
        }
        return { plugin: target.source.id, created: created.folder, foreignKeys: created.foreignKeys, unresolvedReferences: created.unresolvedReferences };
      },
    };
  },
};

export const pluginPack: CliCommand = {
  summary: 'packs the SDK, the test kit and the packages they need (npm pack) for plugins developed outside',
  usage: '[--out DIR]',
  help: 'Writes the tarballs into DIR (default .crm/packs). The packages must be built. Prints {"tarballs":{name: file}}.',
  prepare(argv) {
    const { flags } = positionals(argv, 0, 'no arguments', { out: true });
    return {
      offline: async () => {
        const root = installationRoot();
        if (!isCheckout(root)) throw new CommandError('plugin pack needs a repository checkout');
        return { tarballs: await asCommandError(() => packPublishedPackages(root, path.resolve(flags.out ?? path.join(root, '.crm/packs')))) };
      },
    };
  },
};
