import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the CPUs: a single worker on a 2-CPU machine
    // (CI's size), where most test files wait on Chromium, PostgreSQL or a child process rather
    // than compute. Two files at once there halves the run (1,410 s → 745 s for the main run).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      'packages/*/vitest.config.ts',
      'apps/*/vitest.config.ts',
      'tooling/scenarios/vitest.config.ts',
    ],
  },
});
