import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // One copy of graphql: Vite would otherwise load its ESM build beside the CommonJS one the SDK uses.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: { include: ['test/**/*.test.ts'], globalSetup: ['./test/global-setup.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
