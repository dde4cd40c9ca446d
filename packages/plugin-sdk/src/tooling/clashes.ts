// `crm plugin add` refuses a plugin whose package name or id is already installed, naming both sources: composing two
// fragments under one package name would overwrite one with the other, and two plugins with one id cannot both run.
import fs from 'node:fs';
import path from 'node:path';

export interface InstalledPlugin {
  id: string;
  /** `bundled` or the crm.config.json entry. */
  source: string;
  dir: string;
}

const packageName = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name ?? null;
const same = (a: string, b: string) => fs.existsSync(a) && fs.existsSync(b) && fs.realpathSync(a) === fs.realpathSync(b);

/** What clashes between the plugin in `dir` (id when known) and the installed ones; empty when nothing does. */
export function findClashes(candidate: { dir: string; id: string | null }, installed: readonly InstalledPlugin[]): string[] {
  const name = packageName(candidate.dir);
  const problems: string[] = [];
  for (const other of installed) {
    if (same(other.dir, candidate.dir)) continue;
    const where = `${other.dir} (${other.source})`;
    if (name && packageName(other.dir) === name) problems.push(`package name ${name} is already installed: ${where}; this one is ${candidate.dir}`);
    if (candidate.id && other.id === candidate.id) problems.push(`plugin id "${candidate.id}" is already installed: ${where}; this one is ${candidate.dir}`);
  }
  return problems;
}
