import { describe, expect, it } from 'vitest';
import { diffMigrationsToSchema } from '../src/migrations/dev-tool.js';
import { testPostgresUrl } from '../src/testing/index.js';

// CI's guard that prisma/schema and prisma/migrations agree: replays the migrations into a shadow database on the
// PostgreSQL server and diffs the result against the schema with Prisma's own (WASM) schema engine.
describe('schema and migrations', () => {
  it('agree (a schema change needs `npm run migration:create -w @crm/db -- <name>`)', async () => {
    const missing = await diffMigrationsToSchema({ databaseUrl: testPostgresUrl() });
    expect(missing, `The migrations lack:\n${missing}`).toBe('');
  });
});
