#!/usr/bin/env node
// Generates the one Prisma client from the composed schema, only when the composition changed:
//   1. compose-plugin-schemas.mjs: core + every installed plugin's fragment (+ the PLUGIN_DIRs given);
//   2. when the composed schema's hash differs from the last generation's: `prisma generate` into src/generated, and
//      the generated TypeScript compiled into dist/generated (each file transpiled at once; the declarations with tsc,
//      unless --no-declarations, which the dev loop uses and catches up on later with --declarations-only).
// It is @crm/db's `generate` (npm install, turbo) and what `crm plugin generate` runs, in the repository and in an
// installation (node_modules/@crm/db). Only this package's generated client changes: turbo's hashes of the other
// packages do not depend on plugin fragments, so they stay cached. Plain JavaScript (it runs before any build).
//
//   node tools/generate-client.mjs [--root DIR] [--no-declarations | --declarations-only] [PLUGIN_DIR…]
//
// Prints {"generated","declarations","schemaHash"} on stdout; progress and errors on stderr.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const db = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => (args.includes(name) ? (args.splice(args.indexOf(name), 1), true) : false);
const withoutDeclarations = flag('--no-declarations');
const declarationsOnly = flag('--declarations-only');
const rootAt = args.indexOf('--root');
const rootArgs = rootAt >= 0 ? args.splice(rootAt, 2) : [];
const root = rootArgs[1] ? path.resolve(rootArgs[1]) : (process.env.CRM_ROOT ?? (db.split(path.sep).includes('node_modules') ? process.cwd() : path.resolve(db, '../..')));
const log = (line) => process.stderr.write(`${line}\n`);
const stamp = path.join(db, 'dist/generated/.composed-schema.sha256');
const declarationsStamp = path.join(db, 'dist/generated/.declarations.sha256');
const read = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null);

function run(label, command, commandArgs, env = process.env) {
  if (label) log(label);
  const result = spawnSync(command, commandArgs, { cwd: db, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    process.exit(result.status ?? 1);
  }
  if (result.stderr) process.stderr.write(result.stderr);
}

function schemaHash() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.prisma')) hash.update(`${path.relative(db, full)}\n`).update(fs.readFileSync(full));
    }
  };
  walk(path.join(db, 'prisma/schema'));
  return hash.digest('hex');
}

/** Every node_modules/.bin from these folders up: where Prisma finds its generators (prisma-pothos-types). */
function binPath(...dirs) {
  const bins = [];
  for (const start of dirs) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      bins.push(path.join(dir, 'node_modules/.bin'));
      if (path.dirname(dir) === dir) break;
    }
  }
  return [...new Set(bins), process.env.PATH ?? ''].join(path.delimiter);
}

/** TypeScript as the installation has it (the plugin's or the repository's devDependency), else as this package finds it. */
function typescript() {
  for (const base of [root, db]) {
    try {
      const require = createRequire(path.join(base, 'package.json'));
      return { ts: require('typescript'), tsc: require.resolve('typescript/bin/tsc') };
    } catch {
      // next
    }
  }
  log('TypeScript is not installed: npm install --save-dev typescript');
  process.exit(1);
}

function transpile(ts) {
  const from = path.join(db, 'src/generated');
  const to = path.join(db, 'dist/generated');
  const compilerOptions = { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ES2022, isolatedModules: true };
  const walk = (dir) => {
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

function declarations(tsc) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-client-'));
  const config = path.join(dir, 'tsconfig.json');
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
    run("writing the client's type declarations…", process.execPath, [tsc, '-p', config]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let generated = false;
if (!declarationsOnly) {
  run('', process.execPath, [path.join(db, 'tools/compose-plugin-schemas.mjs'), '--root', root, ...args]);
  const hash = schemaHash();
  if (read(stamp) !== hash || !fs.existsSync(path.join(db, 'dist/generated/prisma/client.js'))) {
    const prisma = createRequire(path.join(db, 'package.json')).resolve('prisma/build/index.js');
    run('generating the Prisma client…', process.execPath, [prisma, 'generate'], { ...process.env, PATH: binPath(db, root) });
    log('compiling the generated client…');
    transpile(typescript().ts);
    fs.writeFileSync(stamp, `${hash}\n`);
    generated = true;
  } else log('the composed schema is unchanged: the client is up to date');
}
const current = read(stamp);
let declared = false;
if (!withoutDeclarations && current && read(declarationsStamp) !== current) {
  declarations(typescript().tsc);
  fs.writeFileSync(declarationsStamp, `${current}\n`);
  declared = true;
}
process.stdout.write(`${JSON.stringify({ generated, declarations: declared, schemaHash: current })}\n`);
