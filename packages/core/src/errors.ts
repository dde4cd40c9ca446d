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
 * constraint's index name (`Customer_workspaceId_email_key`) still names the columns, wherever the error carries it:
 * Prisma's `meta`, the adapter's error (a statement that rode with a COMMIT), node-postgres' own (a raw statement sent
 * on a command's connection, `@crm/db`'s `queryRawIn`), or only the message (a raw statement through Prisma, P2010).
 * `workspaceId` is never the field at fault.
 */
function uniqueViolationField(error: object): string | undefined {
  const { meta, cause, constraint } = error as {
    meta?: Record<string, unknown>;
    cause?: { constraint?: { index?: string; fields?: string[] } };
    constraint?: unknown;
  };
  const target = meta?.target;
  let fields: string[] = Array.isArray(target) ? target.map(String) : [];
  if (!fields.length) {
    const adapterCause = (meta?.driverAdapterError as { cause?: typeof cause } | undefined)?.cause ?? cause;
    if (adapterCause?.constraint?.fields?.length) fields = adapterCause.constraint.fields.map((f) => f.replaceAll('"', ''));
    else {
      const index =
        adapterCause?.constraint?.index ??
        (typeof constraint === 'string' ? constraint : undefined) ??
        /unique constraint "([^"]+)"/.exec(String(meta?.message ?? ''))?.[1] ??
        '';
      const match = /^[A-Za-z]+_(.+)_key$/.exec(index);
      if (match) fields = match[1]!.split('_');
    }
  }
  return fields.find((f) => f !== 'workspaceId');
}

/**
 * Maps Prisma's known request errors (by code) and PostgreSQL's (by SQLSTATE: raw statements, through Prisma or on a
 * command's connection) to CrmErrors; anything else is returned unchanged.
 */
export function fromPrismaError(error: unknown): unknown {
  if (!error || typeof error !== 'object') return error;
  const { code, meta } = error as { code?: unknown; meta?: Record<string, unknown> & { modelName?: string } };
  // 23505 is PostgreSQL's unique violation (raw inserts on hot paths: createCustomer), 23503 its foreign key violation.
  const state = sqlStateOf(error);
  if (code === 'P2002' || state === '23505') {
    const field = uniqueViolationField(error);
    return conflict(field ? `A record with this ${field} already exists` : 'A record with these values already exists', field);
  }
  if (code === 'P2025') return notFound(meta?.modelName ?? 'Record');
  if (code === 'P2003' || state === '23503') return badInput('A referenced record does not exist');
  if (isRetryableConflict(error)) return conflict('Another change to the same records ran at the same time; try again');
  if (isBadInputFromDatabase(error)) return badInput('A value is out of range or not valid for its field');
  return error;
}
