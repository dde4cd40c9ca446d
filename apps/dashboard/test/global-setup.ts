import { ensurePGliteTemplate } from '@crm/db/testing';
import { competitorFeedback } from '@crm/plugin-competitor-feedback';
import { crossSell } from '@crm/plugin-cross-sell';
import { loyalty } from '@crm/plugin-loyalty';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { workflows } from '@crm/plugin-workflows';

/** The bundled plugins the main suite's gateway runs with (as `npm start` does); the other gateway runs none. */
export const dashboardPlugins = () => createPluginHost([loyalty, competitorFeedback, crossSell]);

/** The Workflows pages' gateway: the workflows plugin (its seeded demo workflows need no other plugin to run). */
export const workflowPlugins = () => createPluginHost([workflows]);

/** Build the migrated PGlite templates (with and without the plugins) once, before the test files load them. */
export default async function setup() {
  await ensurePGliteTemplate();
  await ensurePGliteTemplate(dashboardPlugins().migrations);
  await ensurePGliteTemplate(workflowPlugins().migrations);
}
