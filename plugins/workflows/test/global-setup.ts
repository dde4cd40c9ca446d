import { preparePluginDatabase } from '@crm/plugin-testing';
import competitorFeedback from '@crm/plugin-competitor-feedback';
import crossSell from '@crm/plugin-cross-sell';
import loyalty from '@crm/plugin-loyalty';
import { workflows } from '../src/index.js';

// One template per set of plugins the test files start (steps.test.ts creates a plugin's object through its writer).
export default async () => {
  await preparePluginDatabase([workflows, loyalty]);
  await preparePluginDatabase([workflows]);
  await preparePluginDatabase([workflows, competitorFeedback]);
  // The other plugins' actions and the demo seed (cross-sell-action.test.ts, demo-seed.test.ts).
  await preparePluginDatabase([workflows, loyalty, competitorFeedback, crossSell]);
};
