import { packageTestConfig } from '../../vitest.shared.js';

// isolate: false — a worker keeps its modules from one file to the next (docs/operations.md, "Where CI's time goes").
export default packageTestConfig({ globalSetup: ['./test/global-setup.ts'], isolate: false });
