// Driver-adapter factories for the schema engine, with fixes for adapter bugs met in Prisma 7.10
// (see docs/operations.md, "Migrations without the native engine").
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { pgliteExtensions } from '../database.js';

// adapter-pg cannot map PostgreSQL's internal "char" type (OID 18) that the engine's catalog queries return:
// re-label it as text. Values are one-character strings either way. Loaded only by this developer tool.
const pgResult = (await import('pg/lib/result.js' as string)) as { default: { prototype: { addFields(fields: { dataTypeID: number }[]): void } } };
const addFields = pgResult.default.prototype.addFields;
pgResult.default.prototype.addFields = function (fields) {
  for (const field of fields) if (field.dataTypeID === 18) field.dataTypeID = 25;
  return addFields.call(this, fields);
};

type WithScript = SqlDriverAdapter & { executeScript(script: string): Promise<void> };

/** ColumnTypeEnum.Character (driver-adapter-utils): a one-character value. */
const CHARACTER = 6;

/**
 * The engine reads a check or exclusion constraint's `constraint_type` (`pg_constraint.contype`, a "char") as a
 * character and panics on the text the re-labelling above makes of it ("Getting constraint_type … as char failed"): a
 * migration with a CHECK could not be diffed. That column is handed back as a character again.
 */
function constraintTypeAsChar<T extends SqlDriverAdapter>(adapter: T): T {
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (query) => {
    const result = await queryRaw(query);
    const at = result.columnNames.indexOf('constraint_type');
    if (at < 0 || !result.columnNames.includes('constraint_definition')) return result;
    return { ...result, columnTypes: result.columnTypes.map((type, i) => (i === at ? CHARACTER : type)) as typeof result.columnTypes };
  };
  return adapter;
}

/** Send a whole migration as one simple query (atomic), instead of adapter-pg's split on ';'. */
function wholeScriptPg<T extends WithScript>(adapter: T & { underlyingDriver(): pg.Pool }): T {
  adapter.executeScript = async (script: string) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      (adapter as unknown as { onError(e: unknown): never }).onError(error);
    }
  };
  return adapter;
}

/** pglite-prisma-adapter does not await its script: a failing migration would be recorded as applied. */
function awaitedScriptPGlite<T extends WithScript>(adapter: T, db: PGlite): T {
  adapter.executeScript = async (script: string) => {
    try {
      await db.exec(script);
    } catch (error) {
      (adapter as unknown as { onError(e: unknown): never }).onError(error);
    }
  };
  return adapter;
}

export interface ClosableFactory extends SqlMigrationAwareDriverAdapterFactory {
  close(): Promise<void>;
}

export function pgliteFactory(db: PGlite): ClosableFactory {
  const main = new PrismaPGlite(db);
  return {
    provider: 'postgres',
    adapterName: main.adapterName,
    connect: async () => awaitedScriptPGlite(await main.connect(), db),
    async connectToShadowDb() {
      // The adapter's own shadow opens a PGlite per call and never closes it; open and close our own.
      const shadow = await PGlite.create('memory://', { extensions: pgliteExtensions });
      const adapter = awaitedScriptPGlite(await new PrismaPGlite(shadow).connect(), shadow);
      adapter.dispose = () => shadow.close();
      return adapter;
    },
    close: () => db.close(),
  };
}

export function pgFactory(url: string): ClosableFactory {
  const main = new PrismaPg(url);
  const opened: SqlDriverAdapter[] = [];
  return {
    provider: 'postgres',
    adapterName: main.adapterName,
    async connect() {
      const adapter = constraintTypeAsChar(wholeScriptPg(await main.connect()));
      opened.push(adapter);
      return adapter;
    },
    // adapter-pg's shadow points at the main database when given a URL; make and drop a real one.
    async connectToShadowDb() {
      const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      const shadowUrl = new URL(url);
      shadowUrl.pathname = `/${name}`;
      const adapter = constraintTypeAsChar(wholeScriptPg(await new PrismaPg(shadowUrl.toString()).connect()));
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        try {
          await dispose();
        } finally {
          await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
          await admin.end();
        }
      };
      return adapter;
    },
    close: async () => {
      await Promise.all(opened.map((a) => a.dispose()));
    },
  };
}
