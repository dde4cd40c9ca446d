import { preparePluginDatabase } from '@crm/plugin-testing';
import loyalty from '@crm/plugin-loyalty';
import { workflows } from '../src/index.js';

export default () => preparePluginDatabase([workflows, loyalty]);
