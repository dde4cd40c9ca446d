// What the `crm plugin …` commands share: where the installation is, argument parsing, loading a plugin folder.
import fs from 'node:fs';
import path from 'node:path';
import { defaultRoot, formatProblems, importPlugin } from '@crm/plugin-sdk/host';
import { UsageError } from './args.js';
import { CommandError } from './command.js';

export const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The installation the commands work on: the repository checkout this CLI runs from (or CRM_ROOT); when the CLI was
 * installed from npm (a plugin's own folder, with the SDK and the kit as devDependencies), the working directory.
 */
export function installationRoot(): string {
  const root = defaultRoot();
  return process.env.CRM_ROOT || fs.existsSync(path.join(root, 'packages/db/prisma/schema')) ? path.resolve(root) : process.cwd();
}

/** Whether the CLI runs from a repository checkout (bundled plugins, workspaces) rather than from node_modules. */
export const isCheckout = (root: string) => fs.existsSync(path.join(root, 'packages/db/prisma/schema'));

export function positionals(
  argv: string[],
  count: number,
  what: string,
  flags: Record<string, true> = {},
): { args: string[]; flags: Record<string, string> } {
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

/** Imports a built plugin folder, refusing one whose definition has problems. */
export async function loadOrFail(dir: string) {
  try {
    const { plugin } = await importPlugin(dir);
    if (plugin.problems.length) throw new CommandError(formatProblems(plugin.problems));
    return plugin;
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(`Cannot load the plugin at ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs tooling that throws plain errors (a clash, a failed generate) as a CommandError: message, exit code 1. */
export async function asCommandError<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CommandError || error instanceof UsageError) throw error;
    throw new CommandError(error instanceof Error ? error.message : String(error));
  }
}
