import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../tooling/vitest.shared.ts';

// Run alone: these tests stop and start the shared PostgreSQL server under load.
const config = mergeConfig(
  sharedTestConfig,
  defineConfig({
    root: import.meta.dirname,
    test: { name: '@webtasks/scenarios (multi-process)', fileParallelism: false },
  }),
);
// mergeConfig concatenates lists; this run takes only the multi-process files.
config.test = { ...config.test, include: ['test/multiprocess/**/*.test.ts'] };
export default config;
