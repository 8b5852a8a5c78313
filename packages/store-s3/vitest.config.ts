import { defineProject, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../tooling/vitest.shared';

const config = mergeConfig(sharedTestConfig, defineProject({ test: { name: '@webtasks/store-s3' } }));

// Vitest passes `ssr.resolve.conditions` to Node as `--conditions`; the shared list has
// `module` and `import`, which make Node load the AWS SDK's bundler-only `dist-es` build
// (extensionless imports) and fail. Keep only the conditions Node needs here.
config.ssr = { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions: ['@webtasks/source', 'node'] } };

export default config;
