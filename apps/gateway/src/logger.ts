/** Structured logs: one JSON object per line on stdout (errors on stderr). */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Written only at `LOG_LEVEL=debug`. */
  debug?(message: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';
const order: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/**
 * @param level minimum level written. @default `LOG_LEVEL` or `info`
 */
export function createLogger(level: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info'): Logger {
  const write = (at: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (order[at] > order[level]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level: at, msg: message, ...fields });
    (at === 'info' || at === 'debug' ? process.stdout : process.stderr).write(`${line}\n`);
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    debug: (m, f) => write('debug', m, f),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

/** An error for a log line, with what caused it (a wrapped error's own message and stack are often the useful part). */
export function describeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  // A few causes deep at most: a chain can loop (an error set as its own cause's cause).
  const cause = error.cause === undefined || depth >= 3 ? {} : { cause: describeError(error.cause, depth + 1) };
  return { error: error.message, stack: error.stack, ...cause };
}
