// How an object is written by the generic commands (bulk writes, upserts, imports; docs/data.md). Each function runs
// one record inside the caller's transaction: the object's own command logic (validation, references, hooks, events).
import type { z } from 'zod';
import type { CommandScope } from '../command.js';

/** One row of a batch write: the record's id, or the error its single-record command would have thrown. */
export type BatchRow = { id: string } | { error: unknown };

export interface ObjectWriter {
  /**
   * The plugin permission its writes need besides the object's grants (a plugin object's declared writer): checked by
   * the writer when it runs, and by code that checks writes ahead (`Permissions.holdsPluginPermission`).
   */
  permission?: { readonly plugin: string; readonly name: string; readonly roles: readonly string[] };
  /**
   * The schemas `create` and `update` parse their input with (their command's), by field: code that checks a write
   * ahead (a workflow's values at publish) judges a declared field's value by its key's rule. Optional: without it
   * values are judged only when the write runs.
   */
  inputs?: { readonly create?: z.ZodObject; readonly update?: z.ZodObject };
  /** Creates one record from a create input (the fields declared `write: true | 'create'`); returns its id. */
  create?(scope: CommandScope, input: Record<string, unknown>): Promise<{ id: string }>;
  /** Changes one record (fields declared `write: true | 'update'`; left out: unchanged, null: cleared). */
  update?(scope: CommandScope, id: string, patch: Record<string, unknown>): Promise<{ id: string }>;
  /** Deletes one record. @default moves it to the trash when the object is trashable (services/trash) */
  delete?(scope: CommandScope, id: string, reason: string | null): Promise<void>;
  /**
   * A unique-key value as the object stores and matches it (`Ada@X.com` → `ada@x.com`), and the column it is matched
   * on; null when the value cannot be a key (the create then reports why). @default the value as given, on the field
   */
  key?(field: string, value: unknown): { column: string; value: unknown } | null;
  /**
   * Creates many records with a few statements for the whole batch (bulk writes and imports): each row checked as
   * `create` checks it, in the same transaction; refused rows are answered in place and not written. A database error
   * (a unique violation) may be thrown instead: the batch then runs again row by row to find the rows at fault.
   * Optional: without it each row runs `create`.
   */
  createBatch?(scope: CommandScope, inputs: readonly Record<string, unknown>[]): Promise<BatchRow[]>;
  /** `update` for many records, like {@link createBatch}; the ids are distinct. Optional: without it each row runs `update`. */
  updateBatch?(scope: CommandScope, rows: readonly { id: string; patch: Record<string, unknown> }[]): Promise<BatchRow[]>;
}
