import { missingPluginMigrations } from '@crm/plugin-testing';
import { expect, it } from 'vitest';
import { loyalty } from '../src/index.js';

it('the migrations match the schema fragment (a change needs `npm run crm -- plugin migration plugins/loyalty <name>`)', async () => {
  const missing = await missingPluginMigrations(loyalty);
  expect(missing, `The migrations lack:\n${missing}`).toBe('');
});
