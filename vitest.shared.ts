import { createRequire } from 'node:module';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * Settings every package's tests share. `graphql` has no `exports` map: Node's ESM loader picks its CommonJS main
 * file while Vite picks the `module` (.mjs) file, and a schema built by one copy is rejected by the other ("from
 * another module or realm"). Point Vite at the file Node uses so there is one copy.
 */
export function packageTestConfig(overrides: NonNullable<ViteUserConfig['test']> = {}) {
  return defineConfig({
    resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
    test: {
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 600_000,
      pool: 'forks',
      maxWorkers: 2,
      reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
      ...overrides,
    },
  });
}
