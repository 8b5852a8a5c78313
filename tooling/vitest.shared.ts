import { defineConfig } from 'vitest/config';

/**
 * Shared test settings for every package.
 *
 * - `@webtasks/source` resolves workspace packages to their TypeScript sources, so tests
 *   never need a build first.
 * - isolated-vm refuses worker threads and needs `--no-node-snapshot`: tests run in forks.
 */
export const sharedTestConfig = defineConfig({
  resolve: { conditions: ['@webtasks/source', 'import', 'module', 'node', 'default'] },
  // Vitest hands `ssr.resolve.conditions` to Node as `--conditions`. With `import` in that
  // list Node's `require()` loads ESM builds, which breaks CommonJS packages (pg, the AWS
  // SDK): keep only what Node itself needs.
  ssr: { resolve: { conditions: ['@webtasks/source', 'node'] } },
  test: {
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
