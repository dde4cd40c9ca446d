import { ensurePGliteTemplate } from '@crm/db/testing';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { stamps } from './fixtures/stamps/src/index.js';

/** Builds the migrated PGlite templates once (core alone, core + the fixture), before test files load them in parallel. */
export default async function setup() {
  await ensurePGliteTemplate();
  await ensurePGliteTemplate(createPluginHost([stamps]).migrations);
}
