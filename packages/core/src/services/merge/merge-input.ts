import { badInput } from '../../errors.js';
import { fields, parseInput, z } from '../../validation.js';

/** Input of `mergeCustomers` and `mergeCompanies`. */
export const mergeInput = z.object({
  keep: fields.id,
  merge: z.array(fields.id).min(1, 'Name at least one record to merge').max(20, 'At most 20 records per merge'),
  /** Which record each field's value comes from (the kept one's by default). */
  fields: z.record(z.string(), fields.id).nullish(),
  dryRun: z.boolean().nullish(),
});
export type MergeInput = z.input<typeof mergeInput>;

/** The parsed input, with `fields` checked against the fields a merge may take from another record. */
export function parseMergeInput(raw: MergeInput, mergeable: readonly string[]) {
  const input = parseInput(mergeInput, raw);
  if (new Set(input.merge).size !== input.merge.length) throw badInput('merge: the same record is named twice', 'merge');
  if (input.merge.includes(input.keep)) throw badInput('merge: the record kept cannot be merged into itself', 'merge');
  const sources = new Set([input.keep, ...input.merge]);
  for (const [field, from] of Object.entries(input.fields ?? {})) {
    if (!mergeable.includes(field)) throw badInput(`fields.${field}: not a field a merge can take (one of ${mergeable.join(', ')})`, `fields.${field}`);
    if (!sources.has(from)) throw badInput(`fields.${field}: must name the kept record or one of the merged ones`, `fields.${field}`);
  }
  return { ...input, fields: input.fields ?? {}, dryRun: input.dryRun ?? false };
}

/** What a merge did (or, dry, would do). */
export interface MergeReport<Row> {
  survivor: Row;
  mergedIds: string[];
  /** Rows moved onto the survivor, per kind (`activities`, `orders`, `loyalty.LoyaltyTransaction`, …). */
  moved: Record<string, number>;
  /** The survivor's fields that change, with their old and new values. */
  changes: Record<string, { from: unknown; to: unknown }>;
  dryRun: boolean;
}
