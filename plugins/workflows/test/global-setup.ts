import { preparePluginDatabase } from '@crm/plugin-testing';
import competitorFeedback from '@crm/plugin-competitor-feedback';
import loyalty from '@crm/plugin-loyalty';
import { workflows } from '../src/index.js';

// One template per set of plugins the test files start (steps.test.ts creates a plugin's object through its writer).
export default async () => {
  await preparePluginDatabase([workflows, loyalty]);
  await preparePluginDatabase([workflows]);
  await preparePluginDatabase([workflows, competitorFeedback]);
};
