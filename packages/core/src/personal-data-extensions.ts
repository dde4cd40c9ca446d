import type { CommandScope } from './command.js';

/**
 * An extension's (a plugin's) part in a person's data (docs/data.md). Each runs inside the core command's
 * transaction, in the caller's workspace: what it does commits or rolls back with the merge or the erasure.
 */
export interface PersonalDataExtension {
  /** Who holds the data (a plugin id): names its part of an export and of a merge's report. */
  readonly id: string;
  /** Moves (or combines) the rows of `mergedIds` onto `keepId`; returns how many rows moved, per table. */
  merge(scope: CommandScope, input: { keepId: string; mergedIds: readonly string[] }): Promise<Record<string, number>>;
  /** Everything held about the customer, as JSON. */
  export(scope: CommandScope, customerId: string): Promise<Record<string, unknown>>;
  /** Deletes or scrubs everything held about the customer (called before the customer row is deleted). */
  erase(scope: CommandScope, customerId: string): Promise<void>;
  /**
   * The erasure's short last phase, after the core's own work (its scans, the customer row's deletion), in the same
   * transaction: where an extension takes a lock its other transactions wait for, so it is held to the commit only
   * (docs/plugins/api-reference.md, `personalData.eraseLast`).
   */
  eraseLast?(scope: CommandScope, customerId: string): Promise<void>;
}
