import { preparePluginDatabase } from '@crm/plugin-testing';
import { competitorFeedback } from '../src/index.js';

export default () => preparePluginDatabase([competitorFeedback]);
