/**
 * What PostgreSQL said, under Prisma's wrapping: the SQLSTATE of a failed statement, whichever way it reached us
 * (a Prisma known-request error carrying the driver adapter's error, the adapter's error itself, or a raw
 * `pg`/PGlite error from `database.sql`).
 */
export function sqlStateOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const { code, originalCode, severity, meta, cause } = current as {
      code?: unknown;
      originalCode?: unknown;
      severity?: unknown;
      meta?: { driverAdapterError?: unknown };
      cause?: unknown;
    };
    if (typeof originalCode === 'string') return originalCode;
    // A driver's own error (pg, PGlite) carries `severity`; Prisma's `code` is its own (P2010), not a SQLSTATE.
    if (typeof code === 'string' && typeof severity === 'string') return code;
    current = meta?.driverAdapterError ?? cause;
  }
  return undefined;
}

/** A deadlock (40P01) or a serialization failure (40001): the transaction lost a race and may be run again. */
export const isRetryableConflict = (error: unknown): boolean => {
  const state = sqlStateOf(error);
  return state === '40P01' || state === '40001' || (error as { code?: unknown } | null)?.code === 'P2034';
};

/**
 * SQLSTATE class 22 ("data exception": a NUL byte, text that is not a uuid, a number or date out of the column's
 * range, JSON PostgreSQL cannot store) and 54001 (a value nested too deep to process): the input was at fault,
 * never the server. Validation at the API's edge refuses these first; this is the net under it.
 */
export const isBadInputFromDatabase = (error: unknown): boolean => {
  const state = sqlStateOf(error);
  // Division by zero (22012) is our SQL's fault, not the input's.
  return state !== undefined && ((state.startsWith('22') && state !== '22012') || state === '54001');
};
