import { packageTestConfig } from '../../vitest.shared.js';

// One browser, one gateway: the suite runs its files one after the other.
export default packageTestConfig({ globalSetup: ['./test/global-setup.ts'], testTimeout: 60_000, maxWorkers: 1 });
