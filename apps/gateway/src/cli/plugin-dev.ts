// `crm plugin dev <dir>`: the fast loop. Runs a gateway with the plugin and, on every save, does only what the change
// needs: a fragment change recomposes and regenerates the client and creates and applies a dev migration; a source
// change transpiles the changed files alone (the type-check follows in the background); then the gateway restarts. One JSON line per reload on stdout:
// {"event":"reloaded","changed":[…],"steps":{…},"seconds"} — the time from the save to the gateway serving again.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMigrationFor, pluginFolder, regenerateClient } from '@crm/plugin-sdk/tooling';
import { type CliCommand, CommandError } from './command.js';
import { PluginBuilder } from './plugin-dev-build.js';
import { asCommandError, installationRoot, isCheckout, log, positionals } from './plugin-support.js';

const gatewayMain = fileURLToPath(new URL('../main.js', import.meta.url));
const cliMain = fileURLToPath(new URL('./main.js', import.meta.url));
const ignored = /(^|\/)(node_modules|dist|\.crm-dev|\.git|\.turbo)(\/|$)/;
const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

interface DevSession {
  dir: string;
  root: string;
  port: number;
  env: NodeJS.ProcessEnv;
  /** Outside plugins are composed explicitly; bundled ones are installed already. */
  outside: string[];
}

/** Starts the gateway and resolves once /ready answers 200 (or rejects with its output if it exits first). */
function startGateway(session: DevSession): Promise<{ child: ChildProcess; apiKey: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [gatewayMain], { env: session.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let apiKey: string | null = null;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      apiKey ??= /ADMIN API key: (\S+)/.exec(output)?.[1] ?? null;
      // The banner (printed at once, the demo key in it) means the gateway is listening.
      if (/CRM gateway on[\s\S]*\n\n/.test(output) || (/CRM gateway on/.test(output) && apiKey)) {
        child.stdout!.off('data', collect);
        resolve({ child, apiKey });
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.CRM_DEV_VERBOSE) process.stderr.write(chunk);
    });
    child.once('exit', (code) => reject(new Error(`the gateway stopped (exit ${code}):\n${output.trim().split('\n').slice(-15).join('\n')}`)));
  });
}

function stopGateway(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Watches what a plugin's build reads — src/, prisma/schema/ and the folder's own files — one watcher per directory,
 * set up synchronously (Node's recursive watch walks the whole tree, node_modules included, in the background, and
 * misses saves made before it gets there). A directory created later is watched on its first change.
 */
function watchPlugin(dir: string, onChange: (file: string) => void): { close(): void } {
  const watchers = new Map<string, fs.FSWatcher>();
  const watch = (folder: string, recurse: boolean) => {
    if (watchers.has(folder) || !fs.existsSync(folder)) return;
    watchers.set(
      folder,
      fs.watch(folder, (_event, file) => {
        if (!file) return;
        const full = path.join(folder, file.toString());
        const name = path.relative(dir, full).split(path.sep).join('/');
        if (ignored.test(name) || (!recurse && !/^(tsconfig.*\.json|package\.json)$/.test(name))) return;
        if (recurse && fs.existsSync(full) && fs.statSync(full).isDirectory()) return watchTree(full);
        onChange(name);
      }),
    );
  };
  const watchTree = (folder: string) => {
    watch(folder, true);
    for (const entry of fs.existsSync(folder) ? fs.readdirSync(folder, { withFileTypes: true }) : []) {
      if (entry.isDirectory() && !ignored.test(entry.name)) watchTree(path.join(folder, entry.name));
    }
  };
  watch(dir, false);
  watchTree(path.join(dir, 'src'));
  watchTree(path.join(dir, 'prisma/schema'));
  return { close: () => watchers.forEach((w) => w.close()) };
}

async function timed<T>(steps: Record<string, number>, name: string, work: () => T | Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    steps[name] = Math.round(performance.now() - started) / 1000;
  }
}

export const pluginDev: CliCommand = {
  summary: 'runs a gateway with a plugin and reloads it on every save (schema changes migrate)',
  usage: '<plugin dir> [--port PORT]',
  help: [
    'Watches the plugin folder. A change under prisma/schema/ recomposes and regenerates the client and creates and',
    'applies a dev migration (prisma/migrations/<time>_dev: fold them into one named migration before publishing);',
    'a change under src/ rebuilds the plugin (incremental); then the gateway restarts. The embedded database lives',
    'in <plugin dir>/.crm-dev/data (DATABASE_URL: PostgreSQL instead); SHADOW_DATABASE_URL (a PostgreSQL server)',
    'makes the migration diff fast. Prints one JSON line when serving',
    '{"event":"serving","url","apiKey"} and one per reload {"event":"reloaded","changed","steps","seconds"}. Ctrl-C stops.',
  ].join('\n'),
  prepare(argv) {
    const { args, flags } = positionals(argv, 1, 'a plugin folder', { port: true });
    const port = Number(flags.port ?? process.env.PORT ?? 4000);
    return {
      offline: async () => {
        const dir = path.resolve(args[0]!);
        if (!fs.existsSync(path.join(dir, 'package.json'))) throw new CommandError(`${dir} has no package.json: not a plugin package`);
        const checkout = isCheckout(installationRoot());
        const root = checkout ? installationRoot() : dir;
        const target = await asCommandError(() => pluginFolder(dir));
        fs.mkdirSync(path.join(dir, '.crm-dev'), { recursive: true });
        const configFile = path.join(dir, '.crm-dev/crm.config.json');
        fs.writeFileSync(configFile, `${JSON.stringify({ plugins: [dir] }, null, 2)}\n`);
        const session: DevSession = {
          dir,
          root,
          port,
          outside: checkout && dir.startsWith(path.join(root, 'plugins') + path.sep) ? [] : [dir],
          env: {
            ...process.env,
            PORT: String(port),
            CRM_ROOT: root,
            // Only this plugin runs: a config of its own, naming its folder.
            CRM_CONFIG: configFile,
            CRM_WARM_UP: '0',
            ...(process.env.DATABASE_URL ? {} : { CRM_DATA_DIR: process.env.CRM_DATA_DIR ?? path.join(dir, '.crm-dev/data') }),
          },
        };
        await asCommandError(() => regenerateClient({ root, plugins: session.outside, log }));
        const builder = new PluginBuilder(dir);
        await asCommandError(() => builder.full());
        let running = await asCommandError(() => startGateway(session));
        const url = `http://127.0.0.1:${port}/graphql`;
        print({ event: 'serving', url, plugin: target.source.id, apiKey: running.apiKey });
        log(`serving ${url} with ${target.source.id}; watching ${dir} (Ctrl-C stops)`);

        let pending = new Set<string>();
        let timer: NodeJS.Timeout | null = null;
        let busy: Promise<void> = Promise.resolve();
        // The migration diff's shadow database: PostgreSQL when given (fast), else an in-memory PGlite (~10 s more).
        const shadowUrl = process.env.SHADOW_DATABASE_URL ?? process.env.DATABASE_URL;
        const shadow = shadowUrl ? { databaseUrl: shadowUrl } : {};
        const reload = async (changed: string[], savedAt: number) => {
          const steps: Record<string, number> = {};
          try {
            // The old gateway drains while the new code is prepared.
            const stopped = timed(steps, 'stop', () => stopGateway(running.child));
            if (changed.some((f) => f.startsWith('prisma/schema'))) {
              await stopped; // the client is rewritten under it
              await timed(steps, 'generate', () => regenerateClient({ root, plugins: session.outside, declarations: false, log: () => {} }));
              const created = await timed(steps, 'migration', async () => createMigrationFor(await pluginFolder(dir), 'dev', shadow));
              if (created.folder) log(`created ${path.relative(dir, created.folder)}${created.foreignKeys.length ? ` (${created.foreignKeys.length} foreign key(s) to core rows)` : ''}`);
            }
            await timed(steps, 'build', () => builder.changed(changed));
            await stopped;
            running = await timed(steps, 'start', () => startGateway(session));
            print({ event: 'reloaded', changed, steps, seconds: Math.round(performance.now() - savedAt) / 1000 });
            builder.checkInBackground([cliMain, 'plugin', 'generate', dir], ({ ok, errors }) => {
              print({ event: 'typecheck', ok });
              if (!ok) log(errors);
            });
          } catch (error) {
            print({ event: 'failed', changed, steps, error: error instanceof Error ? error.message : String(error) });
            log(`${error instanceof Error ? error.message : String(error)}\n(fix it and save again)`);
          }
        };
        let firstChange = 0;
        const watcher = watchPlugin(dir, (name) => {
          if (!pending.size) firstChange = performance.now();
          pending.add(name);
          if (timer) clearTimeout(timer);
          // A save often writes several files (or one file twice): wait for the burst to end.
          timer = setTimeout(() => {
            const changed = [...pending];
            const savedAt = firstChange;
            pending = new Set();
            busy = busy.then(() => reload(changed, savedAt));
          }, 150);
        });
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop).once('SIGTERM', stop);
        });
        watcher.close();
        builder.stop();
        await busy;
        await stopGateway(running.child);
        return { event: 'stopped' };
      },
    };
  },
};
