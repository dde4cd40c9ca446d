import { isBadInputFromDatabase, isRetryableConflict, sqlStateOf } from './database-errors.js';

/** The error codes a client can see (`extensions.code`). */
export type CrmErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'QUERY_TOO_COMPLEX'
  /** A plugin's code failed (not a veto): `extensions.plugin` and `extensions.handler` name it. */
  | 'PLUGIN_FAILED';

/**
 * An expected failure, safe to show to the client. Everything that is not a CrmError is masked as an internal error.
 * `field` names the input field at fault (dot path from the input object, e.g. `lines.0.sku`).
 */
const brand = Symbol.for('crm.CrmError');

export class CrmError extends Error {
  override name = 'CrmError';
  /** Recognised by {@link isCrmError} even across duplicate module instances (test runners, bundles). */
  readonly [brand] = true;
  constructor(
    readonly code: CrmErrorCode,
    message: string,
    readonly field?: string,
    /** More machine-readable detail for the client's `extensions` (e.g. a plugin's veto `reason`, the `plugin`). */
    readonly extensions?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

export function isCrmError(error: unknown): error is CrmError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}

export const badInput = (message: string, field?: string) => new CrmError('BAD_USER_INPUT', message, field);
export const notFound = (what: string, field?: string) => new CrmError('NOT_FOUND', `${what} not found`, field);
export const conflict = (message: string, field?: string) => new CrmError('CONFLICT', message, field);
export const forbidden = (message = 'Your API key does not allow this') => new CrmError('FORBIDDEN', message);

/**
 * The field a unique violation is about. Prisma 7 with driver adapters no longer fills `meta.target`; the
 * constraint's index name (`Customer_workspaceId_email_key`) still names the columns. `workspaceId` is never the
 * field at fault.
 */
function uniqueViolationField(meta: Record<string, unknown> | undefined): string | undefined {
  const target = meta?.target;
  let fields: string[] = Array.isArray(target) ? target.map(String) : [];
  if (!fields.length) {
    const cause = (meta?.driverAdapterError as { cause?: { constraint?: { index?: string; fields?: string[] } } } | undefined)?.cause;
    if (cause?.constraint?.fields?.length) fields = cause.constraint.fields.map((f) => f.replaceAll('"', ''));
    else {
      // A raw statement's violation (P2010) names its constraint only in the message.
      const index = cause?.constraint?.index ?? /unique constraint "([^"]+)"/.exec(String(meta?.message ?? ''))?.[1] ?? '';
      const match = /^[A-Za-z]+_(.+)_key$/.exec(index);
      if (match) fields = match[1]!.split('_');
    }
  }
  return fields.find((f) => f !== 'workspaceId');
}

/** Maps Prisma's known request errors (by code) to CrmErrors; anything else is returned unchanged. */
export function fromPrismaError(error: unknown): unknown {
  if (!error || typeof error !== 'object') return error;
  if (!('code' in error)) return isBadInputFromDatabase(error) ? badInput('A value is out of range or not valid for its field') : error;
  const { code, meta } = error as { code: string; meta?: Record<string, unknown> & { modelName?: string } };
  // P2010: a raw statement failed; 23505 is PostgreSQL's unique violation (raw inserts on hot paths: createCustomer).
  if (code === 'P2002' || (code === 'P2010' && sqlStateOf(error) === '23505')) {
    const field = uniqueViolationField(meta);
    return conflict(field ? `A record with this ${field} already exists` : 'A record with these values already exists', field);
  }
  if (code === 'P2025') return notFound(meta?.modelName ?? 'Record');
  if (code === 'P2003') return badInput('A referenced record does not exist');
  if (isRetryableConflict(error)) return conflict('Another change to the same records ran at the same time; try again');
  if (isBadInputFromDatabase(error)) return badInput('A value is out of range or not valid for its field');
  return error;
}
