// A file of its own per fixture: a second schema-engine diff in the same process does not finish.
import { missingPluginMigrations } from '../src/index.js';
import { expect, it } from 'vitest';
import { tickerPlugin } from './fixtures/ticker/src/index.js';

it('the ticker fixture’s migrations match its schema fragment (a change needs `npm run crm -- plugin migration packages/plugin-testing/test/fixtures/ticker <name>`)', async () => {
  const missing = await missingPluginMigrations(tickerPlugin().plugin);
  expect(missing, `The migrations lack:\n${missing}`).toBe('');
});
