import { preparePluginDatabase } from '@crm/plugin-testing';
import { crossSell } from '../src/index.js';

export default () => preparePluginDatabase([crossSell]);
