#!/usr/bin/env node
// Composes the ONE Prisma schema the client is generated from: the core files beside _generator.prisma plus the
// schema fragment of every installed plugin, copied into prisma/schema/plugins/ (git-ignored, rewritten each time).
// Runs before `prisma generate` (npm install, turbo `generate`), so it is plain JavaScript with no dependencies.
//
// Installed = every package under plugins/ (bundled), the SDK's test fixtures, and what crm.config.json lists
// (`plugins: ["./path", "package-name", …]`). A plugin's fragment is its `prisma/schema/` folder or `prisma/schema.prisma`.
// Which plugins RUN is decided later, at start (CRM_PLUGINS); a composed model with no table is simply unused.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dbDir = fileURLToPath(new URL('..', import.meta.url));
const root = path.resolve(dbDir, '../..');
const outDir = path.join(dbDir, 'prisma/schema/plugins');

/** Bundled plugins and test fixtures: every folder with a package.json under these parents. */
const scanned = ['plugins', 'packages/plugin-testing/test/fixtures'];

function packageDir(name, base) {
  for (let dir = path.resolve(base); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

function packageDirs() {
  const dirs = [];
  for (const parent of scanned) {
    const full = path.join(root, parent);
    if (!fs.existsSync(full)) continue;
    for (const entry of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && fs.existsSync(path.join(full, entry.name, 'package.json'))) dirs.push(path.join(full, entry.name));
    }
  }
  const configFile = process.env.CRM_CONFIG ? path.resolve(process.env.CRM_CONFIG) : path.join(root, 'crm.config.json');
  if (fs.existsSync(configFile)) {
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    const base = path.dirname(configFile);
    for (const entry of config.plugins ?? []) {
      if (typeof entry !== 'string') continue;
      if (entry.startsWith('.') || entry.startsWith('/')) dirs.push(path.resolve(base, entry));
      else if (!/^[a-z][a-z0-9-]*$/.test(entry)) {
        // A package name: its folder in the nearest node_modules (as Node finds it; `exports` may hide package.json).
        const found = packageDir(entry, base);
        if (found) dirs.push(found);
        else {
          console.error(`crm.config.json: plugin package ${entry} is not installed (npm install ${entry})`);
          process.exitCode = 1;
        }
      }
      // Bare ids (`loyalty`) name bundled plugins, already scanned.
    }
  }
  return [...new Set(dirs.map((d) => fs.realpathSync(d)))];
}

function fragmentFiles(dir) {
  const folder = path.join(dir, 'prisma/schema');
  if (fs.existsSync(folder) && fs.statSync(folder).isDirectory()) {
    return fs.readdirSync(folder).filter((f) => f.endsWith('.prisma')).sort().map((f) => path.join(folder, f));
  }
  const single = path.join(dir, 'prisma/schema.prisma');
  return fs.existsSync(single) ? [single] : [];
}

const composed = new Map();
for (const dir of packageDirs()) {
  const files = fragmentFiles(dir);
  if (!files.length) continue;
  const name = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name ?? path.basename(dir);
  const base = name.replace(/^@/, '').replace(/[^a-zA-Z0-9]+/g, '-');
  for (const file of files) {
    const target = `${base}--${path.basename(file)}`;
    const source = path.relative(root, file);
    composed.set(target, `// Composed from ${source} by packages/db/tools/compose-plugin-schemas.mjs: edit the source, not this copy.\n${fs.readFileSync(file, 'utf8')}`);
  }
}

fs.mkdirSync(outDir, { recursive: true });
for (const stale of fs.readdirSync(outDir)) if (!composed.has(stale)) fs.rmSync(path.join(outDir, stale));
for (const [file, content] of composed) {
  const target = path.join(outDir, file);
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== content) fs.writeFileSync(target, content);
}
console.error(`composed ${composed.size} plugin schema file(s) into prisma/schema/plugins/`);
