import { defineProject, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../tooling/vitest.shared.ts';

const config = mergeConfig(sharedTestConfig, defineProject({ test: { name: '@webtasks/server' } }));

// The server loads pg (through @webtasks/store-postgres). Vitest passes `ssr.resolve.conditions`
// to Node as `--conditions`; the shared list has `import`, which makes Node's `require()` load
// pg-pool's ESM build and breaks pg. Keep only the conditions Node needs (as store-postgres does).
config.ssr = { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions: ['@webtasks/source', 'node'] } };

export default config;
