import type { Database } from '@crm/db';

/** What a command's `prepare` returns once its arguments are valid: the work to do on the open database. */
export interface PreparedCommand {
  /** Apply pending migrations while opening the database. @default true */
  migrate?: boolean;
  /** Where the result's JSON line goes: stderr when the command writes its own output to stdout. @default 'stdout' */
  resultTo?: 'stdout' | 'stderr';
  /** The command's result, printed as one JSON line on stdout. */
  run?(database: Database): Promise<object>;
  /** Instead of `run`: work that needs no database (plugin tooling). */
  offline?(): Promise<object>;
}

/** A command; the words that select it (`workspace create`) are its key in `commandLoaders` (commands.ts). */
export interface CliCommand {
  /** One line for the overall help. */
  summary: string;
  /** The options part of its usage line. */
  usage: string;
  /** Details for `crm <command> --help`. */
  help: string;
  /** Checks the arguments (throwing UsageError) before any database is opened. */
  prepare(argv: string[]): PreparedCommand;
}

/**
 * A failure the user can act on (unknown workspace, key already gone): printed as is, exit code 1. A `result`
 * (e.g. an import's summary with the refused lines) is still printed as the command's JSON line.
 */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    message: string,
    readonly result?: object,
  ) {
    super(message);
  }
}
