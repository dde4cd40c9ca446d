// `crm plugin new|add|list|migration`: what a plugin author and an operator need, each in one command.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPluginMigration } from '@crm/db/dev-tools';
import { formatProblems, importPlugin, loadPlugins, defaultRoot, resolveConfigEntry } from '@crm/plugin-sdk/host';
import { addToConfig, createMigrationFor, regenerateClient, scaffoldPlugin } from '@crm/plugin-sdk/tooling';
import { UsageError } from './args.js';
import { type CliCommand, CommandError } from './command.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const cliMain = fileURLToPath(new URL('./main.js', import.meta.url));

function positionals(argv: string[], count: number, what: string, flags: Record<string, true> = {}): { args: string[]; flags: Record<string, string> } {
  const args: string[] = [];
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word.startsWith('--')) {
      const name = word.slice(2);
      if (!flags[name] || argv[i + 1] === undefined) throw new UsageError(`unknown option ${word}`);
      values[name] = argv[++i]!;
    } else args.push(word);
  }
  if (args.length !== count) throw new UsageError(`expected ${what}`);
  return { args, flags: values };
}

async function loadOrFail(dir: string) {
  try {
    const { plugin } = await importPlugin(dir);
    if (plugin.problems.length) throw new CommandError(formatProblems(plugin.problems));
    return plugin;
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(`Cannot load the plugin at ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const pluginNew: CliCommand = {
  name: 'plugin new',
  summary: 'scaffolds a plugin package (schema fragment, type, mutation, subscriber, passing test, README)',
  usage: '<name> [--dir DIR]',
  help: [
    'Writes plugins/<name> (or DIR), creates its first migration, composes the schema and regenerates the client, and',
    'links the package into the workspace. Prints {"plugin","dir","files":[…],"migration"}. Then: npm test -w @crm/plugin-<name>.',
  ].join('\n'),
  prepare(argv) {
    const { args, flags } = positionals(argv, 1, 'a plugin name, e.g. gift-cards', { dir: true });
    const id = args[0]!;
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(id)) throw new UsageError(`"${id}" is not a kebab-case name (e.g. gift-cards)`);
    return {
      offline: async () => {
        const root = defaultRoot();
        const dir = path.resolve(flags.dir ?? path.join(root, 'plugins', id));
        let scaffold;
        try {
          scaffold = scaffoldPlugin({ id, dir, root });
        } catch (error) {
          throw new CommandError(error instanceof Error ? error.message : String(error));
        }
        log(`writing ${dir}… creating the first migration (Prisma's schema engine)…`);
        const migration = await createPluginMigration('init', {
          plugin: { id, prisma: path.join(dir, 'prisma/schema'), migrations: path.join(dir, 'prisma/migrations') },
          ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
        });
        if (migration) fs.appendFileSync(path.join(migration, 'migration.sql'), scaffold.foreignKeys);
        if (scaffold.insideRepository) {
          regenerateClient(root, log);
          log('linking the package into the workspace (npm install)…');
          execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
        } else {
          log(`outside the repository: build it, then \`npm run crm -- plugin add ${dir}\``);
        }
        return { plugin: id, dir, files: scaffold.files, migration: migration ? path.relative(dir, migration) : null };
      },
    };
  },
};

export const pluginAdd: CliCommand = {
  name: 'plugin add',
  summary: 'installs an outside plugin (package name or path): config, schema composition, client generation, migrations',
  usage: '<package name or path>',
  help: [
    'The plugin must be built (its package entry importable). Adds it to crm.config.json (created with the bundled plugins',
    'if missing), composes its schema fragment into the one Prisma client, rebuilds @crm/db and applies the migrations.',
    'Prints {"plugin","version","entry","configFile","composed","migrations"}.',
  ].join('\n'),
  prepare(argv) {
    const { args } = positionals(argv, 1, 'a package name or a path');
    const given = args[0]!;
    return {
      offline: async () => {
        const root = defaultRoot();
        const isPath = given.startsWith('.') || path.isAbsolute(given);
        let dir: string;
        try {
          dir = isPath ? path.resolve(given) : resolveConfigEntry(given, root);
        } catch {
          throw new CommandError(`Package ${given} is not installed: npm install ${given} first`);
        }
        if (!fs.existsSync(path.join(dir, 'package.json'))) throw new CommandError(`${dir} has no package.json: not a plugin package`);
        const relative = path.relative(root, dir);
        // Inside the installation: a relative entry (the folder can move with it); outside: the absolute path.
        const entry = !isPath ? given : relative.startsWith('..') ? dir : `./${relative.split(path.sep).join('/')}`;
        const { enabled } = await loadPlugins({ root, env: {} });
        const configFile = path.join(root, 'crm.config.json');
        addToConfig(configFile, entry, enabled.map((p) => p.id));
        log(`${entry} added to ${configFile}`);
        // Composed first: the plugin's own TypeScript only type-checks against a client that has its models.
        const composed = fs.existsSync(path.join(dir, 'prisma/schema')) || fs.existsSync(path.join(dir, 'prisma/schema.prisma'));
        if (composed) regenerateClient(root, log);
        const plugin = await loadOrFail(dir).catch((error: unknown) => {
          throw new CommandError(
            `${error instanceof Error ? error.message : String(error)}\nThe schema is composed: build the plugin now (its types see its models), then run npm run crm -- migrate.`,
          );
        });
        log('applying migrations…');
        // A new process: it loads the client generated just now.
        const output = execFileSync(process.execPath, [cliMain, 'migrate'], { encoding: 'utf8', stdio: ['ignore', 'pipe', process.stderr] });
        const migrations = JSON.parse(output.trim().split('\n').pop() ?? '{}') as object;
        return { plugin: plugin.id, version: plugin.version, entry, configFile, composed, migrations };
      },
    };
  },
};

export const pluginList: CliCommand = {
  name: 'plugin list',
  summary: 'lists installed plugins and which run (CRM_PLUGINS, crm.config.json)',
  usage: '',
  help: 'Prints {"selectedBy","plugins":[{"id","version","source","enabled"}],"problems":[…]}.',
  prepare(argv) {
    positionals(argv, 0, 'no arguments');
    return {
      offline: async () => {
        const { available, enabled, problems, selectedBy } = await loadPlugins();
        return {
          selectedBy,
          plugins: available.map((a) => ({ id: a.id, version: a.plugin.version, source: a.source, enabled: enabled.includes(a.plugin) })),
          problems,
        };
      },
    };
  },
};

export const pluginMigration: CliCommand = {
  name: 'plugin migration',
  summary: "creates a plugin's next migration from its schema fragment",
  usage: '<plugin dir> <name>',
  help: [
    'Diffs core + the fragments of the plugin and those it requires against their migrations (Prisma schema engine).',
    'Set DATABASE_URL to use PostgreSQL for the shadow database (fast). Prints {"plugin","created"} (null: nothing changed).',
    'Foreign keys to core rows are written by hand into the migration (see docs/plugins/architecture.md).',
  ].join('\n'),
  prepare(argv) {
    const { args } = positionals(argv, 2, 'a plugin folder and a migration name');
    return {
      offline: async () => {
        const plugin = await loadOrFail(path.resolve(args[0]!));
        const created = await createMigrationFor(plugin, args[1]!, process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {});
        return { plugin: plugin.id, created };
      },
    };
  },
};
