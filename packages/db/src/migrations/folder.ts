import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One migration as Prisma lays it out: `<folder>/<timestamp>_<name>/migration.sql`. */
export interface Migration {
  /** Recorded in `_prisma_migrations.migration_name`; plugin migrations are prefixed with their plugin id. */
  name: string;
  sql: string;
  /** SHA-256 of the file, as Prisma records it. */
  checksum: string;
}

/** Core migrations, shipped with this package. */
export const coreMigrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** Reads a Prisma migrations folder, in name order. `namespace` prefixes names (`loyalty/2026…_init`). */
export function readMigrationsFolder(dir: string, namespace?: string): Migration[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((folder) => {
      const sql = fs.readFileSync(path.join(dir, folder, 'migration.sql'), 'utf8');
      return {
        name: namespace ? `${namespace}/${folder}` : folder,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

let cached: Migration[] | undefined;
export function coreMigrations(): Migration[] {
  return (cached ??= readMigrationsFolder(coreMigrationsDir));
}
