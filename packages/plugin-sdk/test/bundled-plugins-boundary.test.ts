// The bundled plugins are built on the SDK alone, as an outside plugin must be: of ours they import nothing but
// @crm/plugin-sdk (besides their own files, Node's built-ins and the third-party packages their package.json depends
// on, as any npm package may), write no core table directly (the core's commands do that, with its validation and
// events), and send no raw SQL of their own.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coreModels } from '../src/host/fragment-models.js';

const pluginsDir = fileURLToPath(new URL('../../../plugins', import.meta.url));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) ? [file] : [];
  });
}

const files = fs
  .readdirSync(pluginsDir)
  .filter((name) => fs.existsSync(path.join(pluginsDir, name, 'src')))
  .flatMap((name) => sourceFiles(path.join(pluginsDir, name, 'src')));
const relative = (file: string) => path.relative(pluginsDir, file);
/** A plugin's own third-party dependencies (never an @crm package other than the SDK); a subpath (`nodemailer/lib/…`) is its package's. */
const dependenciesOf = (file: string): string[] => {
  const manifest = path.join(pluginsDir, relative(file).split(path.sep)[0]!, 'package.json');
  const { dependencies = {} } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(dependencies).filter((name) => !name.startsWith('@crm/'));
};
const SPECIFIER = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

describe('the bundled plugins use only the SDK', () => {
  it('finds the plugins and their sources', () => {
    expect(new Set(files.map((f) => relative(f).split(path.sep)[0]))).toEqual(new Set(['competitor-feedback', 'cross-sell', 'loyalty', 'workflows']));
  });

  it('import nothing of ours but @crm/plugin-sdk (besides their own files, node: built-ins and their declared dependencies)', () => {
    const outside = files.flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(SPECIFIER)]
        .map((m) => m[1] ?? m[2] ?? m[3]!)
        .filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:') && spec !== '@crm/plugin-sdk' && !dependenciesOf(file).some((name) => spec === name || spec.startsWith(`${name}/`)))
        .map((spec) => `${relative(file)}: ${spec}`),
    );
    expect(outside).toEqual([]);
  });

  it('write no core table directly and send no raw SQL (core commands and the SDK sql tag instead)', () => {
    const accessors = coreModels().map((m) => m.name[0]!.toLowerCase() + m.name.slice(1));
    const write = new RegExp(`\\.(${accessors.join('|')})\\.(create|createMany|createManyAndReturn|update|updateMany|upsert|delete|deleteMany)\\(`, 'g');
    const found = files.flatMap((file) => {
      const text = fs.readFileSync(file, 'utf8');
      return [...text.matchAll(write), ...text.matchAll(/\$(executeRaw|queryRaw)\w*/g)].map((m) => `${relative(file)}: ${m[0]}`);
    });
    expect(found).toEqual([]);
  });
});
