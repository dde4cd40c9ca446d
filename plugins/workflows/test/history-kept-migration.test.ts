// The upgrade that brought history retention: workspaces that exist when it runs keep their whole run history
// (`historyDays: null`, their other workflow settings kept; a settings row made when there was none); workspaces
// created afterwards get the default, 30 days.
import { createWorkspace } from '@crm/core';
import { expect, it } from 'vitest';
import { workflowSettings } from '../src/settings.js';
import { databaseBefore } from './database-before.js';

const HISTORY_KEPT_MIGRATION = 'workflows/20261206110000_erasures_history_kept';

it('existing workspaces keep everything; new ones the default', async () => {
  // The database as it was before the migration (and the ones after it).
  const { database, migrations } = await databaseBefore(HISTORY_KEPT_MIGRATION);
  try {
    const sql = (text: string, ...values: unknown[]) => database.sql.query<Record<string, any>>(text, values);
    const bare = (await createWorkspace(database.prisma, { name: 'No settings' })).workspaceId;
    const tuned = (await createWorkspace(database.prisma, { name: 'Tuned' })).workspaceId;
    await sql(`UPDATE "Workspace" SET settings = '{"analytics": {"x": 1}, "plugins": {"workflows": {"maxDepth": 3}, "loyalty": {"a": 1}}}' WHERE id = $1::uuid`, tuned);

    await database.migrate(migrations);

    const stored = async (id: string) => (await sql(`SELECT settings FROM "Workspace" WHERE id = $1::uuid`, id))[0]!.settings;
    expect((await stored(bare)).plugins.workflows).toEqual({ historyDays: null });
    expect(await stored(tuned)).toEqual({ analytics: { x: 1 }, plugins: { workflows: { maxDepth: 3, historyDays: null }, loyalty: { a: 1 } } });
    expect(workflowSettings.parse((await stored(tuned)).plugins.workflows)).toMatchObject({ maxDepth: 3, historyDays: null });
    const later = (await createWorkspace(database.prisma, { name: 'Later' })).workspaceId;
    expect(workflowSettings.parse((await stored(later)).plugins?.workflows ?? {}).historyDays).toBe(30);
  } finally {
    await database.close();
  }
});
