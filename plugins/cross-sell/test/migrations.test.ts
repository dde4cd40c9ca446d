import { missingPluginMigrations } from '@crm/plugin-testing';
import { expect, it } from 'vitest';
import { crossSell } from '../src/index.js';

it('the migrations match the schema fragment (a change needs `npm run crm -- plugin migration plugins/cross-sell <name>`)', async () => {
  const missing = await missingPluginMigrations(crossSell);
  expect(missing, `The migrations lack:\n${missing}`).toBe('');
});
