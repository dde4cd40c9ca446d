import { parseArgs } from 'node:util';

/** A usage mistake: the CLI prints it with the command's help and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;
type Parsed<S extends OptionSpec> = { [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean | undefined : string | undefined };

/** Parses `--flag value` options strictly: an unknown flag or a stray word is a usage error. */
export function options<S extends OptionSpec>(argv: string[], spec: S): Parsed<S> {
  try {
    return parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false }).values as unknown as Parsed<S>;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${flag} is required`);
  return value.trim();
}

export function wholeNumber(value: string, flag: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}`);
  }
  return n;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs: checked here so a typo is a usage error, not a database error. */
export function id(value: string | undefined, flag: string): string {
  const text = required(value, flag);
  if (!UUID.test(text)) throw new UsageError(`--${flag} must be an id like 0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b (got "${text}")`);
  return text.toLowerCase();
}

/** A date (`2026-06-30`) or a date-time (`2026-06-30T12:00:00Z`). */
export function date(value: string, flag: string): Date {
  const parsed = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(parsed.getTime())) throw new UsageError(`--${flag} must be a date like 2026-06-30`);
  return parsed;
}

const DURATION_UNITS_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration such as `90m`, `12h` or `30d`, in milliseconds. */
export function duration(value: string, flag: string): number {
  const match = /^(\d{1,6})([mhd])$/.exec(value.trim());
  if (!match || Number(match[1]) === 0) throw new UsageError(`--${flag} must be a duration like 90m, 12h or 30d`);
  return Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS];
}
