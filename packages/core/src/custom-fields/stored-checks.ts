// The checks of custom values that read the database (unique values free, linked records present), for one row or a
// batch's rows at once: one statement per kind of check, whatever the number of rows (a single command is a batch of
// one, so both paths say the rule once).
import type { ScopedTransaction } from '@crm/db';
import { conflict, CrmError } from '../errors.js';
import type { CustomField } from './definition.js';
import { isExtensible } from './definition.js';

/** A row whose values passed the checks without the database: its record (null: being created), values, changed fields. */
export interface StoredCheckRow {
  id: string | null;
  values: Record<string, unknown>;
  changed: readonly CustomField[];
}

const isEmpty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

type Delegate = { findMany(args: object): Promise<{ id: string; customFields?: unknown }[]> };
const delegateOf = (tx: ScopedTransaction, model: string) => (tx as unknown as Record<string, Delegate>)[model]!;

/**
 * By row index, the error its single command would have thrown for its unique and relation values, the first by field
 * order: CONFLICT when another live record of the workspace holds a unique value, or an earlier row of the same batch
 * sets it (the later row is refused, naming its record); NOT_FOUND when a relation names no live record of its target.
 * Reads go through the caller's scoped client, as the single checks did.
 */
export async function storedValueErrors(tx: ScopedTransaction, object: string, rows: readonly StoredCheckRow[], prefix: string): Promise<Map<number, Error>> {
  const setting = (field: CustomField, row: StoredCheckRow) => row.changed.includes(field) && !isEmpty(row.values[field.key]);
  const uniques = [...new Set(rows.flatMap((row) => row.changed.filter((field) => field.unique && setting(field, row))))];
  const relations = [...new Set(rows.flatMap((row) => row.changed.filter((field) => field.type === 'relation' && setting(field, row))))];

  // Every live record holding one of the unique values given: one statement. A declared object's table is named as the
  // object (`Competitor` → `tx.competitor`); a custom object's records share one table, its own are those with its id.
  const holders: { id: string; customFields?: unknown }[] = uniques.length
    ? await delegateOf(tx, isExtensible(object) ? object.charAt(0).toLowerCase() + object.slice(1) : 'customRecord').findMany({
        where: {
          ...(isExtensible(object) ? {} : { objectId: object }),
          OR: uniques.flatMap((field) =>
            [...new Map(rows.filter((row) => setting(field, row)).map((row) => [JSON.stringify(row.values[field.key]), row.values[field.key]])).values()].map((value) => ({
              customFields: { path: [field.key], equals: value },
            })),
          ),
        },
        select: { id: true, customFields: true },
      })
    : [];

  // The linked records there are, by target: one statement per target object named (uuids compared lower-case).
  const linked = new Set<string>();
  const targets = [...new Set(relations.map((field) => field.target!))];
  for (const target of targets) {
    const ids = [...new Set(rows.flatMap((row) => relations.filter((field) => field.target === target && setting(field, row)).map((field) => (row.values[field.key] as string).toLowerCase())))];
    const where = { id: { in: ids } };
    const found =
      target === 'Customer' || target === 'Company'
        ? await delegateOf(tx, target.toLowerCase()).findMany({ where, select: { id: true } })
        : await tx.customRecord.findMany({ where: { ...where, objectId: target }, select: { id: true } });
    for (const { id } of found) linked.add(`${target}:${id.toLowerCase()}`);
  }

  const errors = new Map<number, Error>();
  // The unique values rows of the batch will hold: a row claims its values only once it passes every check here (a
  // refused row holds nothing, so a later row may take its value).
  const claimed = new Set<string>();
  rows.forEach((row, index) => {
    const claims: string[] = [];
    for (const field of row.changed) {
      if (!setting(field, row)) continue;
      const value = row.values[field.key];
      const path = `${prefix}${field.name}`;
      if (field.unique) {
        const key = `${field.key}:${JSON.stringify(value)}`;
        if (claimed.has(key)) {
          const record = row.id ? `record ${row.id}` : `row ${index}`;
          return void errors.set(index, conflict(`${path}: ${record} would hold ${JSON.stringify(value)}, as another record of this batch would`, path));
        }
        claims.push(key);
        const held = holders.some((holder) => holder.id !== row.id && same((holder.customFields as Record<string, unknown> | null)?.[field.key], value));
        if (held) return void errors.set(index, conflict(`${path}: another record already has ${JSON.stringify(value)}`, path));
      }
      if (field.type === 'relation' && !linked.has(`${field.target}:${(value as string).toLowerCase()}`)) {
        return void errors.set(index, new CrmError('NOT_FOUND', `${path}: no such record to link to`, path));
      }
    }
    for (const key of claims) claimed.add(key);
  });
  return errors;
}
