import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printGatewaySchema } from '../src/schema-sdl.js';

const committed = new URL('../../../schema.graphql', import.meta.url);

describe('schema.graphql', () => {
  it('is the schema the gateway serves (run `npm run schema:print` after a schema change and commit it)', () => {
    const printed = printGatewaySchema();
    expect(printed).toContain('type Query');
    expect(readFileSync(committed, 'utf8'), 'schema.graphql is stale: run `npm run schema:print` and commit it').toBe(printed);
  });
});
