// The migration that gave webhook URLs a token of their own: a workflow made before it gets a token (random, its own,
// not the signing secret), so its webhook keeps working at its new URL.
import { createWorkspace } from '@crm/core';
import { expect, it } from 'vitest';
import { databaseBefore } from './database-before.js';

const TOKEN_MIGRATION = 'workflows/20261206071500_webhook_url_token';

it('workflows made before the URL token get one each: distinct, 64 hex characters, not their signing secret', async () => {
  // The database as it was before the migration (and the ones after it).
  const { database, migrations } = await databaseBefore(TOKEN_MIGRATION);
  try {
    const { workspaceId } = await createWorkspace(database.prisma, { name: 'Before tokens' });
    for (const name of ['Old hook', 'Old schedule']) {
      await database.sql.query(`INSERT INTO "Workflow" (id, "workspaceId", name, draft, secret, "updatedAt") VALUES (gen_random_uuid(), $1, $2, '{}', $3, now())`, [
        workspaceId,
        name,
        `secret-of-${name}`,
      ]);
    }
    await database.migrate(migrations);
    const rows = await database.sql.query<{ name: string; secret: string; hookToken: string }>(`SELECT name, secret, "hookToken" FROM "Workflow" ORDER BY name`);
    expect(rows.map((r) => r.name)).toEqual(['Old hook', 'Old schedule']);
    for (const row of rows) {
      expect(row.hookToken).toMatch(/^[0-9a-f]{64}$/);
      expect(row.hookToken).not.toBe(row.secret);
    }
    expect(rows[0]!.hookToken).not.toBe(rows[1]!.hookToken);
  } finally {
    await database.close();
  }
});
