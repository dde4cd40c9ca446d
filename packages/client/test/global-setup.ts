import { ensurePGliteTemplate } from '@crm/db/testing';

/** Build the migrated PGlite template once, before the test files load it in parallel. */
export default async function setup() {
  await ensurePGliteTemplate();
}
