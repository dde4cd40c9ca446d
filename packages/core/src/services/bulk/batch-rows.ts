// The rows of a batch write as they pass a command's checks one after the other (customers-batch.ts): each check runs
// on the rows still standing; a row that fails one keeps the error its single command would have thrown.
import type { BatchRow } from '../../objects/writer.js';

/** A batch's rows: a value per row still standing, or the row's result (its error, later its id). */
export class BatchRows<T> {
  readonly results: (BatchRow | null)[];
  readonly values: (T | null)[];
  constructor(count: number) {
    this.results = Array.from({ length: count }, () => null);
    this.values = Array.from({ length: count }, () => null);
  }
  /** The rows of `items`, each turned into its value by `parse` (the command's input schema; a throw refuses it). */
  static of<I, T>(items: readonly I[], parse: (item: I) => T): BatchRows<T> {
    const rows = new BatchRows<T>(items.length);
    items.forEach((item, index) => {
      try {
        rows.values[index] = parse(item);
      } catch (error) {
        rows.refuse(index, error);
      }
    });
    return rows;
  }
  /** Runs `check` on every row still standing; a throw refuses that row. */
  each(check: (value: T, index: number) => T | void): void {
    for (const [index, value] of this.values.entries()) {
      if (value === null) continue;
      try {
        const next = check(value, index);
        if (next !== undefined) this.values[index] = next;
      } catch (error) {
        this.refuse(index, error);
      }
    }
  }
  refuse(index: number, error: unknown): void {
    this.values[index] = null;
    this.results[index] = { error };
  }
  live(): [number, T][] {
    return [...this.values.entries()].filter((entry): entry is [number, T] => entry[1] !== null);
  }
  /** Row `index` was written as record `id`. */
  written(index: number, id: string): void {
    this.results[index] = { id };
  }
  /** The batch's answer, by row: the record's id or the row's error. */
  answer(): BatchRow[] {
    return this.results.map((result, index) => result ?? { error: new Error(`batch row ${index} was neither written nor refused`) });
  }
}
