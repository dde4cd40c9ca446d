import { packageTestConfig } from '../../vitest.shared.js';

// The gateway's own tests run the core alone (CRM_PLUGINS empty): plugins are tested by @crm/plugin-testing and by
// each plugin's package, with the test kit.
export default packageTestConfig({ globalSetup: ['./test/global-setup.ts'], env: { CRM_PLUGINS: '' } });
