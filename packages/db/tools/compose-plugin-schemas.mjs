#!/usr/bin/env node
// Composes the ONE Prisma schema the client is generated from: the core files beside _generator.prisma plus the
// schema fragment of every installed plugin, copied into prisma/schema/plugins/ (git-ignored, rewritten each time).
// Runs before `prisma generate` (npm install, turbo `generate`, `crm plugin generate`), so it is plain JavaScript
// with no dependencies.
//
//   node tools/compose-plugin-schemas.mjs [--root DIR] [PLUGIN_DIR…]
//
// Installed = every package under <root>/plugins/ (bundled), the SDK's test fixtures, what <root>/crm.config.json
// lists (`plugins: ["./path", "package-name", …]`) and the PLUGIN_DIRs given. <root> is the repository when this file
// runs from a checkout; in an installation (this package under node_modules) it is CRM_ROOT or the working directory
// (a plugin's own folder). A plugin's fragment is its `prisma/schema/` folder or `prisma/schema.prisma`.
// Which plugins RUN is decided later, at start (CRM_PLUGINS); a composed model with no table is simply unused.
// Two plugins with the same package name, or two fragments declaring the same model, are refused naming both.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dbDir = fileURLToPath(new URL('..', import.meta.url));
const installed = dbDir.split(path.sep).includes('node_modules');
const outDir = path.join(dbDir, 'prisma/schema/plugins');

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = path.resolve(
  rootFlag >= 0 ? args.splice(rootFlag, 2)[1] : (process.env.CRM_ROOT ?? (installed ? process.cwd() : path.resolve(dbDir, '../..'))),
);
const given = args.map((dir) => path.resolve(dir));

/** Bundled plugins and test fixtures: every folder with a package.json under these parents. */
const scanned = ['plugins', 'packages/plugin-testing/test/fixtures'];
const problems = [];

function packageDir(name, base) {
  for (let dir = path.resolve(base); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** [folder, where it was named] for every installed plugin package. */
function packageDirs() {
  const dirs = [];
  for (const parent of scanned) {
    const full = path.join(root, parent);
    if (!fs.existsSync(full)) continue;
    for (const entry of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && fs.existsSync(path.join(full, entry.name, 'package.json'))) dirs.push([path.join(full, entry.name), `${parent}/${entry.name}`]);
    }
  }
  const configFile = process.env.CRM_CONFIG ? path.resolve(process.env.CRM_CONFIG) : path.join(root, 'crm.config.json');
  if (fs.existsSync(configFile)) {
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    const base = path.dirname(configFile);
    for (const entry of config.plugins ?? []) {
      if (typeof entry !== 'string') continue;
      if (entry.startsWith('.') || path.isAbsolute(entry)) dirs.push([path.resolve(base, entry), `crm.config.json "${entry}"`]);
      else if (!/^[a-z][a-z0-9-]*$/.test(entry)) {
        // A package name: its folder in the nearest node_modules (as Node finds it; `exports` may hide package.json).
        const found = packageDir(entry, base);
        if (found) dirs.push([found, `crm.config.json "${entry}"`]);
        else problems.push(`crm.config.json: plugin package ${entry} is not installed (npm install ${entry})`);
      }
      // Bare ids (`loyalty`) name bundled plugins, already scanned.
    }
  }
  for (const dir of given) dirs.push([dir, dir]);
  const seen = new Map();
  for (const [dir, source] of dirs) {
    if (!fs.existsSync(path.join(dir, 'package.json'))) {
      problems.push(`${source}: ${dir} has no package.json`);
      continue;
    }
    const real = fs.realpathSync(dir);
    if (!seen.has(real)) seen.set(real, source);
  }
  return [...seen];
}

function fragmentFiles(dir) {
  const folder = path.join(dir, 'prisma/schema');
  if (fs.existsSync(folder) && fs.statSync(folder).isDirectory()) {
    return fs.readdirSync(folder).filter((f) => f.endsWith('.prisma')).sort().map((f) => path.join(folder, f));
  }
  const single = path.join(dir, 'prisma/schema.prisma');
  return fs.existsSync(single) ? [single] : [];
}

const modelsOf = (text) => [...text.matchAll(/^\s*(?:model|enum|view|type)\s+(\w+)\s*\{/gm)].map((m) => m[1]);

/** Core models and enums: a plugin may not declare one again. */
const declared = new Map();
for (const file of fs.readdirSync(path.join(dbDir, 'prisma/schema')).filter((f) => f.endsWith('.prisma'))) {
  for (const name of modelsOf(fs.readFileSync(path.join(dbDir, 'prisma/schema', file), 'utf8'))) declared.set(name, `core (${file})`);
}

const composed = new Map();
const byName = new Map();
for (const [dir, source] of packageDirs()) {
  const files = fragmentFiles(dir);
  const name = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name ?? path.basename(dir);
  const other = byName.get(name);
  if (other) {
    problems.push(`two plugins are both named ${name}: ${other.dir} (${other.source}) and ${dir} (${source}); rename one (package.json "name")`);
    continue;
  }
  byName.set(name, { dir, source });
  if (!files.length) continue;
  const base = name.replace(/^@/, '').replace(/[^a-zA-Z0-9]+/g, '-');
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const model of modelsOf(text)) {
      const first = declared.get(model);
      if (first) problems.push(`model ${model} is declared twice: by ${first} and by ${name} (${file})`);
      else declared.set(model, `${name} (${file})`);
    }
    const target = `${base}--${path.basename(file)}`;
    // The source named relative to the root: the same checkout composes the same bytes wherever it lives.
    const shown = path.relative(root, file).split(path.sep).join('/');
    composed.set(target, `// Composed from ${shown} by @crm/db tools/compose-plugin-schemas.mjs: edit the source, not this copy.\n${text}`);
  }
}

if (problems.length) {
  // Nothing is written: a half-composed schema would generate a client that silently lacks a plugin.
  for (const problem of problems) console.error(`compose-plugin-schemas: ${problem}`);
  process.exit(1);
}

fs.mkdirSync(outDir, { recursive: true });
for (const stale of fs.readdirSync(outDir)) if (!composed.has(stale)) fs.rmSync(path.join(outDir, stale));
for (const [file, content] of composed) {
  const target = path.join(outDir, file);
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== content) fs.writeFileSync(target, content);
}
console.error(`composed ${composed.size} plugin schema file(s) into prisma/schema/plugins/`);
