import { packageTestConfig } from '../../vitest.shared.js';

// One browser, one gateway: the suite runs its files one after the other. The setup seeds ~80 records one request at
// a time, fits the lifetime-value model and starts chromium: on a loaded machine that takes minutes, not seconds.
export default packageTestConfig({ globalSetup: ['./test/global-setup.ts'], testTimeout: 120_000, hookTimeout: 300_000, maxWorkers: 1 });
