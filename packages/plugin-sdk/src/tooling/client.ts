// Regenerating the one Prisma client after the set of installed plugins (or a fragment) changed: @crm/db's
// tools/generate-client.mjs composes the schema and, when the composition changed, generates and compiles the client
// into @crm/db's dist. The same in the repository (packages/db) and in an installation (node_modules/@crm/db, e.g. a
// plugin's own folder with the SDK installed from npm). Output goes to stderr (the CLI keeps stdout for its JSON line).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
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
  /** Whether the type declarations were (re)written. */
  declarations: boolean;
  /** sha256 of the composed schema. */
  schemaHash: string;
}

/** @crm/db's package folder, as this SDK resolves it (the copy the host will load). */
export function dbPackageDir(): string {
  const entry = createRequire(import.meta.url).resolve('@crm/db');
  return path.resolve(path.dirname(entry), '..');
}

function generateClient(args: string[], log: (line: string) => void): RegenerateClientResult {
  const db = dbPackageDir();
  const result = spawnSync(process.execPath, [path.join(db, 'tools/generate-client.mjs'), ...args], { cwd: db, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const progress = (result.stderr ?? '').trim();
  if (result.status !== 0) throw new Error(progress || `generating the client failed (exit ${result.status})`);
  if (progress) log(progress);
  return JSON.parse((result.stdout ?? '').trim().split('\n').pop() ?? '{}') as RegenerateClientResult;
}

/**
 * Composes core + every installed plugin's fragment (+ `plugins`), and when the composed schema changed, generates
 * the client and compiles it. Throws with the composer's message when two plugins clash (same package name or model).
 */
export function regenerateClient(options: RegenerateClientOptions): RegenerateClientResult {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return generateClient(['--root', options.root, ...(options.declarations === false ? ['--no-declarations'] : []), ...(options.plugins ?? [])], log);
}

/** Brings the client's declarations up to the composed schema (after `regenerateClient({ declarations: false })`). */
export function regenerateClientDeclarations(root: string, log: (line: string) => void = () => {}): boolean {
  return generateClient(['--root', root, '--declarations-only'], log).declarations;
}
