// A file of its own per fixture: a second schema-engine diff in the same process does not finish.
import { missingPluginMigrations } from '../src/index.js';
import { expect, it } from 'vitest';
import { relayPlugin } from './fixtures/relay/src/index.js';

it('the relay fixture’s migrations match its schema fragment (a change needs `npm run crm -- plugin migration packages/plugin-testing/test/fixtures/relay <name>`)', async () => {
  const missing = await missingPluginMigrations(relayPlugin({ hears: [] }));
  expect(missing, `The migrations lack:\n${missing}`).toBe('');
});
