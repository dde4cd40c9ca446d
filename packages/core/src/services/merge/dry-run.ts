/**
 * How a command runs "as if": it does all its work in its transaction, then throws this to roll it back and hands
 * the report to the caller. What a dry run reports is therefore exactly what the real run would do, plugins included.
 */
export class DryRunRollback<T> extends Error {
  constructor(readonly report: T) {
    super('dry run: rolled back');
  }
}

/** Runs `command`; with `dryRun`, returns its report from a rolled-back transaction. */
export async function runOrRollBack<T>(dryRun: boolean, command: (finish: (report: T) => T) => Promise<T>): Promise<T> {
  try {
    return await command((report) => {
      if (dryRun) throw new DryRunRollback(report);
      return report;
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return error.report as T;
    throw error;
  }
}
