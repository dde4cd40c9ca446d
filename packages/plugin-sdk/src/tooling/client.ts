// Regenerating the one Prisma client after the set of installed plugins (or a fragment) changed: compose the schema
// folder, `prisma generate`, rebuild @crm/db. Output goes to stderr (the CLI keeps stdout for its JSON line).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export function regenerateClient(root: string, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
  const db = path.join(root, 'packages/db');
  const run = (label: string, command: string, args: string[]) => {
    log(label);
    // Prisma runs its generators (prisma-pothos-types) from node_modules/.bin, as npm scripts would.
    const env = { ...process.env, PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}` };
    execFileSync(command, args, { cwd: db, env, stdio: ['ignore', process.stderr, process.stderr] });
  };
  run('composing the Prisma schema (core + plugin fragments)…', process.execPath, ['tools/compose-plugin-schemas.mjs']);
  run('generating the Prisma client…', process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'generate']);
  run('building @crm/db…', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
}
