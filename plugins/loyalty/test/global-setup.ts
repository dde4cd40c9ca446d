import { preparePluginDatabase } from '@crm/plugin-testing';
import { loyalty } from '../src/index.js';

export default () => preparePluginDatabase([loyalty]);
