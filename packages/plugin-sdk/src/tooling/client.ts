// Regenerating the one Prisma client after the set of installed plugins (or a fragment) changed: compose the schema
// folder, `prisma generate`, compile the generated client into @crm/db's dist. Works the same in the repository
// (packages/db) and in an installation (node_modules/@crm/db, e.g. a plugin's own folder with the SDK installed from
// npm). Only @crm/db's generated files are rebuilt: nothing else changes when a plugin's schema does, so no other
// package needs a rebuild. Output goes to stderr (the CLI keeps stdout for its JSON line).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface RegenerateClientOptions {
  /** The installation root: the repository, or the folder whose crm.config.json and plugins/ count. */
  root: string;
  /** Plugin folders composed besides the installed ones (a plugin developed outside the repository). */
  plugins?: readonly string[];
  /**
   * Write the type declarations too (several seconds). `false`: the JavaScript only, enough to run a gateway (the dev
   * loop); `regenerateClientDeclarations` catches up later. @default true
   */
  declarations?: boolean;
  log?: (line: string) => void;
}

export interface RegenerateClientResult {
  /** false when the composed schema was unchanged and the client already built from it (nothing to do). */
  generated: boolean;
  /** sha256 of the composed schema. */
  schemaHash: string;
}

/** @crm/db's package folder, as this SDK resolves it (the copy the host will load). */
export function dbPackageDir(): string {
  const entry = createRequire(import.meta.url).resolve('@crm/db');
  return path.resolve(path.dirname(entry), '..');
}

const stampFile = (db: string) => path.join(db, 'dist/generated/.composed-schema.sha256');

function schemaHash(db: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.prisma')) hash.update(`${path.relative(db, full)}\n`).update(fs.readFileSync(full));
    }
  };
  walk(path.join(db, 'prisma/schema'));
  return hash.digest('hex');
}

/** Every node_modules/.bin from `dir` up: where Prisma finds its generators (prisma-pothos-types). */
function binPath(...dirs: string[]): string {
  const bins: string[] = [];
  for (const start of dirs) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      bins.push(path.join(dir, 'node_modules/.bin'));
      if (path.dirname(dir) === dir) break;
    }
  }
  return [...new Set(bins), process.env.PATH ?? ''].join(path.delimiter);
}

function run(log: (line: string) => void, label: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  log(label);
  const result = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0) throw new Error(output || `${label} failed (exit ${result.status})`);
  return output;
}

type TypeScript = typeof import('typescript');

/** TypeScript as the installation has it (the plugin's or the repository's devDependency), else as @crm/db finds it. */
function typescriptFor(db: string, root: string): { ts: TypeScript; tsc: string } {
  for (const base of [root, db]) {
    try {
      const require = createRequire(path.join(base, 'package.json'));
      return { ts: require('typescript') as TypeScript, tsc: require.resolve('typescript/bin/tsc') };
    } catch {
      // next
    }
  }
  throw new Error('TypeScript is not installed: npm install --save-dev typescript');
}

/** The generated client's JavaScript: each file transpiled alone (about a second; the types are not checked). */
function transpileGenerated(db: string, ts: TypeScript) {
  const from = path.join(db, 'src/generated');
  const to = path.join(db, 'dist/generated');
  const compilerOptions = { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ES2022, verbatimModuleSyntax: false, isolatedModules: true };
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const target = path.join(to, path.relative(from, full)).replace(/\.ts$/, '.js');
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, ts.transpileModule(fs.readFileSync(full, 'utf8'), { compilerOptions, fileName: full }).outputText);
      }
    }
  };
  walk(from);
}

/** The generated client's declarations (what plugins type-check against): tsc, several seconds. */
function emitDeclarations(db: string, tsc: string, log: (line: string) => void) {
  const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crm-client-')), 'tsconfig.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      compilerOptions: {
        target: 'ES2023',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        declaration: true,
        emitDeclarationOnly: true,
        skipLibCheck: true,
        types: [],
        rootDir: path.join(db, 'src/generated'),
        outDir: path.join(db, 'dist/generated'),
      },
      include: [path.join(db, 'src/generated')],
    }),
  );
  try {
    run(log, 'writing the client\'s type declarations…', [tsc, '-p', config], db);
  } finally {
    fs.rmSync(path.dirname(config), { recursive: true, force: true });
  }
}

const declarationsStamp = (db: string) => path.join(db, 'dist/generated/.declarations.sha256');

/** Brings the client's declarations up to the composed schema (after `regenerateClient({ declarations: false })`). */
export function regenerateClientDeclarations(root: string, log: (line: string) => void = () => {}): boolean {
  const db = dbPackageDir();
  const hash = fs.existsSync(stampFile(db)) ? fs.readFileSync(stampFile(db), 'utf8').trim() : null;
  if (!hash || (fs.existsSync(declarationsStamp(db)) && fs.readFileSync(declarationsStamp(db), 'utf8').trim() === hash)) return false;
  emitDeclarations(db, typescriptFor(db, root).tsc, log);
  fs.writeFileSync(declarationsStamp(db), `${hash}\n`);
  return true;
}

/**
 * Composes core + every installed plugin's fragment (+ `plugins`), and when the composed schema changed, generates
 * the client and compiles it. Throws with the composer's message when two plugins clash (same package name or model).
 */
export function regenerateClient(options: RegenerateClientOptions): RegenerateClientResult {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const db = dbPackageDir();
  log(run(log, 'composing the Prisma schema (core + plugin fragments)…', [path.join(db, 'tools/compose-plugin-schemas.mjs'), '--root', options.root, ...(options.plugins ?? [])], db));
  const hash = schemaHash(db);
  const stamp = stampFile(db);
  let generated = false;
  if (!(fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === hash && fs.existsSync(path.join(db, 'dist/generated/prisma/client.js')))) {
    const prisma = createRequire(path.join(db, 'package.json')).resolve('prisma/build/index.js');
    run(log, 'generating the Prisma client…', [prisma, 'generate'], db, { ...process.env, PATH: binPath(db, options.root) });
    log('compiling the generated client…');
    transpileGenerated(db, typescriptFor(db, options.root).ts);
    fs.writeFileSync(stamp, `${hash}\n`);
    generated = true;
  } else log('the composed schema is unchanged: the client is up to date');
  if (options.declarations !== false) regenerateClientDeclarations(options.root, log);
  return { generated, schemaHash: hash };
}
