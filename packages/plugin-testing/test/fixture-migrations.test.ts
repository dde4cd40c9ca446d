import { missingPluginMigrations } from '../src/index.js';
import { expect, it } from 'vitest';
import { keyed } from './fixtures/keyed/src/index.js';
import { stamps } from './fixtures/stamps/src/index.js';
import { tickerPlugin } from './fixtures/ticker/src/index.js';

it.each([
  ['stamps', stamps],
  ['keyed', keyed],
  ['ticker', tickerPlugin().plugin],
])('the %s fixture’s migrations match its schema fragment (a change needs `npm run crm -- plugin migration packages/plugin-testing/test/fixtures/<name> <migration>`)', async (_name, plugin) => {
  const missing = await missingPluginMigrations(plugin);
  expect(missing, `The migrations lack:\n${missing}`).toBe('');
});
