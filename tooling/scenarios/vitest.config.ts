import { defineProject, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../tooling/vitest.shared.ts';

// The multi-process tests restart the shared PostgreSQL server, so they run on their own
// after everything else (vitest.multiprocess.config.ts, called by tooling/scripts/test.mjs).
export default mergeConfig(
  sharedTestConfig,
  defineProject({
    test: { name: '@webtasks/scenarios', exclude: ['test/multiprocess/**', '**/node_modules/**'] },
  }),
);
