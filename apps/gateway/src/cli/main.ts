#!/usr/bin/env node
// The `crm` command: `npm run crm -- <command> [options]`. Each command prints one JSON line on stdout; progress and
// errors go to stderr. Exit codes: 0 done, 1 failed, 2 usage error.
import type { Database } from '@crm/db';
import { UsageError } from './args.js';
import { type CliCommand, CommandError, type PreparedCommand } from './command.js';
import { commandLoaders } from './commands.js';

const names = Object.keys(commandLoaders);

function usageLine(name: string, command: CliCommand): string {
  return `npm run crm -- ${name}${command.usage ? ` ${command.usage}` : ''}`;
}

/** The overall help: the one place that loads every command (for its summary). */
async function help(): Promise<string> {
  const width = Math.max(...names.map((name) => name.length));
  const summaries = await Promise.all(names.map(async (name) => `  ${name.padEnd(width)}  ${(await commandLoaders[name]!()).summary}`));
  return [
    'usage: npm run crm -- <command> [options]      (or: node apps/gateway/dist/cli/main.js <command> [options])',
    '',
    ...summaries,
    '',
    'npm run crm -- <command> --help shows its options. Each command prints one JSON line on stdout.',
    'Database: DATABASE_URL (PostgreSQL) or CRM_DATA_DIR (embedded, default ./.crm-data). An embedded data directory',
    'serves one process at a time: stop the gateway before running commands against it.',
  ].join('\n');
}

/** Where the result goes; resolves once written, so exiting right after cannot cut it off. */
const print = (line: string) => new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve()));

class Exit {
  constructor(readonly code: number) {}
}

async function main(argv: string[]): Promise<number> {
  if (!argv.length) {
    console.error(await help());
    return 2;
  }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    await print(await help());
    return 0;
  }
  const name = names.find((n) => n === argv.slice(0, 2).join(' ')) ?? names.find((n) => n === argv[0]);
  if (!name) {
    const family = names.filter((n) => n.startsWith(`${argv[0]} `));
    console.error(
      family.length
        ? `${argv.slice(0, 2).join(' ')}: say which one: ${family.join(', ')}`
        : `Unknown command: ${argv.slice(0, 2).join(' ')} (npm run crm -- --help lists them)`,
    );
    return 2;
  }
  const command = await commandLoaders[name]!();
  const rest = argv.slice(name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    await print(`usage: ${usageLine(name, command)}\n\n${command.summary}.\n${command.help}`);
    return 0;
  }
  let prepared: PreparedCommand;
  try {
    prepared = command.prepare(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\nusage: ${usageLine(name, command)}`);
    return 2;
  }

  if (prepared.offline) return runOffline(prepared.offline, name, command);

  const [{ DataDirInUseError, databaseConfigFromEnv, describeDatabase, openDatabase }, { isCrmError }] = await Promise.all([import('@crm/db'), import('@crm/core')]);
  const config = databaseConfigFromEnv();
  let database: Database;
  try {
    database = await openDatabase(config, { migrate: prepared.migrate ?? true });
  } catch (error) {
    console.error(error instanceof DataDirInUseError ? error.message : `Cannot open the ${describeDatabase(config)}: ${messageOf(error)}`);
    return 1;
  }
  // Ctrl-C or a stop signal mid-command: close the database (an embedded one must be closed cleanly) and leave.
  const interrupted = new Promise<Exit>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      console.error(`\nInterrupted (${signal}): closing the database…`);
      resolve(new Exit(130));
    };
    process.once('SIGINT', stop).once('SIGTERM', stop);
  });
  try {
    const outcome = await Promise.race([prepared.run!(database), interrupted]);
    if (outcome instanceof Exit) return outcome.code;
    if (prepared.resultTo === 'stderr') console.error(JSON.stringify(outcome));
    else await print(JSON.stringify(outcome));
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (isCrmError(error) && error.code === 'BAD_USER_INPUT')) {
      console.error(`${error.message}\nusage: ${usageLine(name, command)}`);
      return 2;
    }
    if (error instanceof CommandError || isCrmError(error)) {
      if (error instanceof CommandError && error.result) await print(JSON.stringify(error.result));
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

/** A command that needs no database (plugin tooling): same output and exit codes. */
async function runOffline(work: () => Promise<object>, name: string, command: CliCommand): Promise<number> {
  try {
    await print(JSON.stringify(await work()));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\nusage: ${usageLine(name, command)}`);
      return 2;
    }
    if (error instanceof CommandError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

/** One line: Prisma's messages span several, with the cause last. */
function messageOf(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length > 1 ? `${lines[0]} … ${lines[lines.length - 1]}` : (lines[0] ?? 'unknown error');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Unexpected: one line for the user; the stack only when asked for (CRM_DEBUG=1).
    console.error(process.env.CRM_DEBUG && error instanceof Error ? error.stack : `Failed: ${messageOf(error)} (CRM_DEBUG=1 shows the stack)`);
    process.exit(1);
  },
);
