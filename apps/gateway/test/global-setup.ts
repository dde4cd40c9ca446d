import { ensurePGliteTemplate } from '@crm/db/testing';
import { pluginHostFromEnvironment } from '@crm/plugin-sdk/host';

/**
 * Build the migrated PGlite templates once, before the test files load them in parallel: core's, and core's with
 * every bundled plugin's migrations (the fuzz test serves the whole composed schema).
 */
export default async function setup() {
  await ensurePGliteTemplate();
  const { host } = await pluginHostFromEnvironment({ bundledOnly: true });
  await ensurePGliteTemplate(host.migrations);
}
