// The database as it was just before one of the plugin's migrations, for the tests of what that migration does to the
// rows it finds: migrated up to it, not including it. The migrations after it are left out too, as an upgrade meets
// them: a later one may build on it (an ALTER of a table it creates), so a database made with all the others failed
// to build once one did (session 15's `20261206114000_erasure_bound`). `database.migrate(migrations)` then applies it
// and those after it, in order.
import type { Database, Migration } from '@crm/db';
import { ensurePGliteTemplate, openTemplateDatabase } from '@crm/db/testing';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { workflows } from '../src/index.js';

/** A fresh PGlite database migrated up to the migration `name` (namespaced: `workflows/…`), and all the plugin's migrations. Close it. */
export async function databaseBefore(name: string): Promise<{ database: Database; migrations: readonly Migration[] }> {
  const migrations = createPluginHost([workflows]).migrations;
  const at = migrations.findIndex((migration) => migration.name === name);
  if (at < 0) throw new Error(`The plugin has no migration ${name}`);
  return { database: await openTemplateDatabase(await ensurePGliteTemplate(migrations.slice(0, at))), migrations };
}
