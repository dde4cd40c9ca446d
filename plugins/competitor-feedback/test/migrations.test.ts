import { missingPluginMigrations } from '@crm/plugin-testing';
import { expect, it } from 'vitest';
import { competitorFeedback } from '../src/index.js';

it('has migrations that create exactly what its schema fragment describes', async () => {
  expect(await missingPluginMigrations(competitorFeedback)).toBe('');
});
