import { getDatamodel, Prisma } from '@crm/db';
import { column, literal } from './sql-text.js';

/** A model's scalar and enum fields with their Prisma types (the columns a Prisma row carries). */
interface RowField {
  name: string;
  type: string;
  isList: boolean;
}

const models = getDatamodel().datamodel.models as Record<string, { fields: readonly (RowField & { kind: string })[] }>;
const rowFieldsCache = new Map<string, RowField[]>();

function rowFields(model: string): RowField[] {
  let fields = rowFieldsCache.get(model);
  if (!fields) {
    // Bytes never reach a resolver through JSON; every other column does.
    fields = (models[model]?.fields ?? []).filter((f) => (f.kind === 'scalar' || f.kind === 'enum') && f.type !== 'Bytes');
    rowFieldsCache.set(model, fields);
  }
  return fields;
}

/**
 * The row aliased `alias` as JSON, every column a Prisma row of `model` has: what a resolver the engine leaves to
 * graphql receives as its parent. Money and 64-bit integers travel as text (JSON numbers would round them).
 */
export function parentRowSql(model: string, alias: string): string {
  const pairs = rowFields(model).map((f) => {
    const value = column(alias, f.name);
    const asText = !f.isList && (f.type === 'Decimal' || f.type === 'BigInt');
    return `${literal(f.name)}, ${asText ? `${value}::text` : value}`;
  });
  // jsonb_build_object takes at most 100 arguments: wide models are built in parts and merged.
  const parts: string[] = [];
  for (let i = 0; i < pairs.length; i += 50) parts.push(`jsonb_build_object(${pairs.slice(i, i + 50).join(', ')})`);
  return parts.length ? parts.join(' || ') : `'{}'::jsonb`;
}

/** The Prisma row `parentRowSql` sent as JSON: dates as `Date`, money as `Prisma.Decimal`, 64-bit integers as `bigint`. */
export function reviveParentRow(model: string, json: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = { ...json };
  for (const f of rowFields(model)) {
    const value = row[f.name];
    if (value == null || f.isList) continue;
    if (f.type === 'DateTime') row[f.name] = new Date(value as string);
    else if (f.type === 'Decimal') row[f.name] = new Prisma.Decimal(value as string);
    else if (f.type === 'BigInt') row[f.name] = BigInt(value as string);
  }
  return row;
}
