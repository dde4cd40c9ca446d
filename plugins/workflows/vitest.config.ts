import { packageTestConfig } from '../../vitest.shared.js';

// isolate: false — a worker keeps its modules from one file to the next instead of importing the gateway afresh per
// file: the whole suite passed so and took 130 CPU s instead of 175 (docs/operations.md, "Where CI's time goes").
export default packageTestConfig({ globalSetup: ['./test/global-setup.ts'], isolate: false });
