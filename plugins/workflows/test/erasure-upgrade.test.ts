// Migration erasure_email_hash keeps `WorkflowErasure.email` (nulled, `@ignore`) for instances still on the code before
// it during a rolling upgrade: their kept erasures' read (the SQL of d742739e's runs/erased-events.ts) still runs, and
// the email they write when they erase is kept hashed only — by the rule the new code matches it with.
import { type PluginTestGateway, startPluginTestGateway } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTransport, workflowsPlugin } from '../src/index.js';
import { namesEmail } from '../src/runs/erasure-email.js';

/** The old code's kept erasures (d742739e, runs/erased-events.ts `keptErasures`), its ERASURE_KEPT_MS written in. */
const OLD_KEPT_ERASURES = `
    SELECT "customerId"::text AS "customerId", email, "erasedAt" FROM "WorkflowErasure"
    WHERE "scrubbedAt" IS NULL OR "erasedAt" IS NULL OR "erasedAt" > statement_timestamp() - make_interval(secs => 3600::int)`;
const CUSTOMER = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

let kit: PluginTestGateway;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: testTransport() })] });
});
afterAll(async () => {
  await kit?.close();
});

describe('WorkflowErasure.email during an upgrade', () => {
  it('is still there for the old code’s reads, and what the old code writes in it is kept hashed only', async () => {
    const { prisma } = kit.database;
    // The old code's erasure (runs/erasure-scrub.ts `recordErasure`): the email in clear.
    await prisma.$executeRawUnsafe(
      `INSERT INTO "WorkflowErasure" (id, "workspaceId", "customerId", email) VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3)`,
      kit.workspace.workspaceId,
      CUSTOMER,
      ' Ann@Example.com ',
    );
    const old = await prisma.$queryRawUnsafe<{ customerId: string; email: string | null }[]>(OLD_KEPT_ERASURES);
    expect(old).toEqual([expect.objectContaining({ customerId: CUSTOMER, email: null })]);
    const [row] = await prisma.$queryRawUnsafe<{ email: string | null; emailSalt: string; emailHash: string }[]>(
      `SELECT email, "emailSalt", "emailHash" FROM "WorkflowErasure" WHERE "customerId" = $1::uuid`,
      CUSTOMER,
    );
    expect(row!.email).toBeNull();
    expect(row!.emailSalt).toMatch(/^[0-9a-f]{32}$/);
    expect(namesEmail(row!, 'Invalid recipient ann@example.com')).toBe(true);
    expect(namesEmail(row!, 'joann@example.com')).toBe(false);
  });
});
