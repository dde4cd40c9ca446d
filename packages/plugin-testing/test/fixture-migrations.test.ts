import { missingPluginMigrations } from '../src/index.js';
import { expect, it } from 'vitest';
import { stamps } from './fixtures/stamps/src/index.js';

it('the migrations match the schema fragment (a change needs `npm run crm -- plugin migration packages/plugin-testing/test/fixtures/stamps <name>`)', async () => {
  const missing = await missingPluginMigrations(stamps);
  expect(missing, `The migrations lack:\n${missing}`).toBe('');
});
