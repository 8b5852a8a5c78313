import { defineProject, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../tooling/vitest.shared.ts';

const config = mergeConfig(sharedTestConfig, defineProject({ test: { name: '@webtasks/store-postgres' } }));

// Vitest passes `ssr.resolve.conditions` to Node as `--conditions`, and the shared list
// contains `import`: Node's `require()` then loads ESM builds, which breaks pg (a CommonJS
// package requiring the dual-format pg-pool). Keep only the conditions Node needs here.
config.ssr = { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions: ['@webtasks/source', 'node'] } };

export default config;
