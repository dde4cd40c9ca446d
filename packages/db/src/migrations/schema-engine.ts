// Prisma's WASM schema engine over a driver adapter: creates migrations and diffs the schema against the
// migrations folder. Developer tooling only (slow on PGlite); the start-up path is runner.ts.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';

const require = createRequire(import.meta.url);

export const schemaDir = fileURLToPath(new URL('../../prisma/schema', import.meta.url));

export interface SchemaFile {
  path: string;
  content: string;
}

/** Every `.prisma` file below a folder (Prisma's schema-folder rule), in a stable order. */
export function readSchemaFiles(dir: string = schemaDir): SchemaFile[] {
  const files: SchemaFile[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.prisma')) files.push({ path: full, content: fs.readFileSync(full, 'utf8') });
    }
  };
  walk(dir);
  return files;
}

interface MigrationDirectory {
  path: string;
  migrationFile: { path: string; content: { tag: 'ok'; value: string } | { tag: 'error'; value: string } };
}

export interface MigrationsList {
  baseDir: string;
  lockfile: { path: string; content: string | null };
  shadowDbInitScript: string;
  migrationDirectories: MigrationDirectory[];
}

/** The shape the Prisma CLI builds from a migrations folder. */
export function listMigrations(migrationsDir: string): MigrationsList {
  const baseDir = path.resolve(migrationsDir);
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  const dirs = fs.existsSync(baseDir)
    ? fs.readdirSync(baseDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((name) => {
      const file = path.join(baseDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: fs.existsSync(file)
            ? { tag: 'ok', value: fs.readFileSync(file, 'utf8') }
            : { tag: 'error', value: 'missing migration.sql' },
        },
      };
    }),
  };
}

export const noFilter = { externalTables: [], externalEnums: [] };

type DiffTarget =
  | { tag: 'empty' }
  | ({ tag: 'migrations' } & MigrationsList)
  | { tag: 'schemaDatamodel'; files: SchemaFile[] };

/** The engine calls we use (the WASM module ships no types). */
export interface SchemaEngine {
  devDiagnostic(input: { migrationsList: MigrationsList; filters: typeof noFilter }): Promise<{ action: { tag: string; reason?: string } }>;
  applyMigrations(input: { migrationsList: MigrationsList; filters: typeof noFilter }): Promise<{ appliedMigrationNames: string[] }>;
  createMigration(input: {
    draft: boolean;
    migrationName: string;
    migrationsList: MigrationsList;
    schema: { files: SchemaFile[] };
    filters: typeof noFilter;
  }): Promise<{ generatedMigrationName: string; migrationScript: string | null; extension: string; connectorType: string }>;
  diff(input: { from: DiffTarget; to: DiffTarget; script: boolean; exitCode: boolean | null; filters: typeof noFilter }): Promise<{
    exitCode: number;
    stdout?: string;
  }>;
  free(): void;
}

// Node has WebAssembly at runtime; our lib setting (no DOM) has no types for it.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

interface WasmModule {
  SchemaEngine: { new: (params: unknown, log: (message: string) => void, adapter: unknown) => Promise<SchemaEngine> };
  __wbg_set_wasm(exports: Record<string, unknown>): void;
}

export async function createSchemaEngine(adapterFactory: SqlMigrationAwareDriverAdapterFactory, files: SchemaFile[]) {
  // The Rust panic hook reports through this global (the Prisma CLI sets it up the same way).
  const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown };
  g.PRISMA_WASM_PANIC_REGISTRY ??= { message: '', set_message(m: string) { (this as { message: string }).message = m; } };
  const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg' as string)) as WasmModule;
  const wasmFile = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmFile), { './schema_engine_bg.js': bg as never });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  const log = process.env.DEBUG_SCHEMA_ENGINE ? (m: string) => console.error('[schema-engine]', m) : () => {};
  return bg.SchemaEngine.new(
    { datamodels: files.map((f) => [f.path, f.content]) },
    log,
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}
