import { customFieldTraits } from './field-types.js';
import { type CustomField, isExtensible } from './definition.js';
import { CUSTOM_VALUES_COLUMN } from './field-types.js';

/** What runs DDL: the database client outside any transaction (CONCURRENTLY cannot run inside one). */
export interface DdlRunner {
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
}

const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The SQL expression of a custom field's value on a row aliased `alias` (none: the table itself), typed for comparing
 * and sorting. The read engine writes exactly this expression, so the expression indexes below serve it.
 */
export function customValueSql(kind: string, key: string, alias?: string): string {
  const text = `(${alias ? `${alias}.` : ''}"${CUSTOM_VALUES_COLUMN}"->>${quoted(key)})`;
  switch (kind) {
    case 'int':
    case 'float':
    case 'decimal':
      return `(${text}::numeric)`;
    case 'boolean':
      return `(${text}::boolean)`;
    case 'reference':
      // A relation field's record id: compared with the target's uuid `id`.
      return `(${text}::uuid)`;
    default:
      // Text, and dates and instants kept as normalised ISO strings: their text order is their time order.
      return text;
  }
}

const indexName = (prefix: string, field: CustomField) => `${prefix}_${field.id.replace(/-/g, '')}`;

/**
 * Builds a field's indexes without blocking reads or writes (`CREATE INDEX CONCURRENTLY`): a partial expression index
 * over the workspace's rows for `indexed` fields (filters, sorts), a unique one for `unique` fields. Embedded
 * PostgreSQL (PGlite, one connection) has nobody to block and builds them plainly.
 *
 * An indexed field also gets statistics on its expression (`CREATE STATISTICS`, filled by the next ANALYZE): the
 * planner ignores a partial index's own expression statistics, and without any it guessed a few rows for a
 * `startsWith`, sorted them all instead of walking the index in order, and was 3× slower than on a built-in column
 * (`npm run bench:custom-fields`, docs/performance.md). The statement takes no lock that reads or writes wait for.
 */
export async function createCustomFieldIndexes(db: DdlRunner, workspaceId: string, field: CustomField, embedded: boolean): Promise<void> {
  const value = customValueSql(customFieldTraits[field.type].kind, field.key);
  // A custom object's field (its `object` is the object's id): the records share one table, its own carry its id.
  const extensible = isExtensible(field.object);
  const table = extensible ? `"${field.object}"` : '"CustomRecord"';
  const scope = `"workspaceId" = ${quoted(workspaceId)}${extensible ? '' : ` AND "objectId" = ${quoted(field.object)}`}`;
  const how = embedded ? 'INDEX' : 'INDEX CONCURRENTLY';
  if (field.indexed) {
    await db.$executeRawUnsafe(`CREATE ${how} IF NOT EXISTS "${indexName('cf', field)}" ON ${table} (${value}, "id") WHERE ${scope}`);
    await db.$executeRawUnsafe(`CREATE STATISTICS IF NOT EXISTS "${indexName('cfs', field)}" ON (${value}) FROM ${table}`);
  }
  if (field.unique) {
    await db.$executeRawUnsafe(
      `CREATE UNIQUE ${how} IF NOT EXISTS "${indexName('cfu', field)}" ON ${table} (${value}) WHERE ${scope} AND "deletedAt" IS NULL`,
    );
  }
}

export async function dropCustomFieldIndexes(db: DdlRunner, field: CustomField, embedded: boolean): Promise<void> {
  const how = embedded ? 'INDEX' : 'INDEX CONCURRENTLY';
  for (const prefix of ['cf', 'cfu']) await db.$executeRawUnsafe(`DROP ${how} IF EXISTS "${indexName(prefix, field)}"`);
  await db.$executeRawUnsafe(`DROP STATISTICS IF EXISTS "${indexName('cfs', field)}"`);
}
