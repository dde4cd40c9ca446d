// The database as it was just before one of the plugin's migrations, for the tests of what that migration does to the
// rows it finds: migrated up to it, not including it. The migrations after it are left out too, as an upgrade meets
// them: a later one may build on it (an ALTER of a table it creates), so a database made with all the others failed
// to build once one did (session 15's `20261206114000_erasure_bound`). `database.migrate(migrations)` then applies it
// and those after it, in order.
import { createWorkspace } from '@crm/core';
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

/** A database before a migration, with a workspace in it, as a migration's test writes its rows (raw SQL). */
export interface WorkspaceBefore {
  database: Database;
  migrations: readonly Migration[];
  workspaceId: string;
  /** One statement on the database; its rows. */
  sql(text: string, ...values: unknown[]): Promise<Record<string, any>[]>;
  /** Inserts a workflow (`Old`) and its version 1 (a manual trigger on customers), as rows of that time. */
  oldVersion(): Promise<{ workflowId: string; versionId: string }>;
}

/**
 * Runs `test` on a fresh database before the migration `name` (`databaseBefore`) with a workspace `workspaceName`;
 * closes the database after it, whatever happens.
 */
export async function beforeMigration(name: string, workspaceName: string, test: (before: WorkspaceBefore) => Promise<void>): Promise<void> {
  const { database, migrations } = await databaseBefore(name);
  try {
    const { workspaceId } = await createWorkspace(database.prisma, { name: workspaceName });
    const sql = (text: string, ...values: unknown[]) => database.sql.query<Record<string, any>>(text, values);
    const oldVersion = async () => {
      const [workflow] = await sql(`INSERT INTO "Workflow" (id, "workspaceId", name, draft, secret, "hookToken", "updatedAt") VALUES (gen_random_uuid(), $1, 'Old', '{}', 's', 't', now()) RETURNING id`, workspaceId);
      const [version] = await sql(
        `INSERT INTO "WorkflowVersion" (id, "workspaceId", "workflowId", number, definition, "triggerKey") VALUES (gen_random_uuid(), $1, $2, 1, '{}', 'manual:Customer') RETURNING id`,
        workspaceId,
        workflow!.id,
      );
      return { workflowId: workflow!.id as string, versionId: version!.id as string };
    };
    await test({ database, migrations, workspaceId, sql, oldVersion });
  } finally {
    await database.close();
  }
}
