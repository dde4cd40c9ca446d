import { ensurePGliteTemplate } from '@crm/db/testing';
import { preparePluginDatabase } from '../src/index.js';
import { keyed } from './fixtures/keyed/src/index.js';
import { relayPlugin } from './fixtures/relay/src/index.js';
import { stamps } from './fixtures/stamps/src/index.js';
import { tickerPlugin } from './fixtures/ticker/src/index.js';

/** Builds the migrated PGlite templates once (core alone, core + each fixture), before test files load them in parallel. */
export default async function setup() {
  await ensurePGliteTemplate();
  await preparePluginDatabase([stamps]);
  await preparePluginDatabase([keyed]);
  await preparePluginDatabase([tickerPlugin().plugin]);
  await preparePluginDatabase([relayPlugin({ hears: [] })]);
}
