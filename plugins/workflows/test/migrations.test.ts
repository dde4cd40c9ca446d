import { missingPluginMigrations } from '@crm/plugin-testing';
import { expect, it } from 'vitest';
import { workflows } from '../src/index.js';

it('the migrations match the schema fragment (a change needs `npm run crm -- plugin migration plugins/workflows <name>`)', async () => {
  const missing = await missingPluginMigrations(workflows);
  expect(missing, `The migrations lack:\n${missing}`).toBe('');
});
