// Here rather than in the gateway: this package depends on every bundled plugin (devDependencies), so turbo builds
// them before this test prints the full schema.
import { readFileSync } from 'node:fs';
import { printGatewaySchema } from '@crm/gateway';
import { describe, expect, it } from 'vitest';

const committed = new URL('../../../schema.graphql', import.meta.url);

describe('schema.graphql', () => {
  it('is the schema the gateway serves with every bundled plugin (run `npm run schema:print` after a schema change and commit it)', async () => {
    const printed = await printGatewaySchema();
    expect(printed).toContain('type Query');
    expect(printed).toContain('loyalty');
    expect(readFileSync(committed, 'utf8'), 'schema.graphql is stale: run `npm run schema:print` and commit it').toBe(printed);
  });
});
