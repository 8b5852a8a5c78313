// One-off scaffolder for package skeletons (kept for adding packages later:
// `node tooling/scripts/scaffold.mjs <dir> <name> "<description>" dep1,dep2 devdep1,devdep2`).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, name, description, depList = '', devList = '', ...flags] = process.argv.slice(2);
const isPrivate = flags.includes('--private');
const toMap = (list) =>
  Object.fromEntries(
    list
      .split(',')
      .filter(Boolean)
      .map((d) => [d, d.startsWith('@webtasks/') ? 'workspace:*' : 'catalog:']),
  );
mkdirSync(join(dir, 'src'), { recursive: true });
const pkg = {
  name,
  version: '0.0.0',
  description,
  license: 'Apache-2.0',
  type: 'module',
  ...(isPrivate ? { private: true } : {}),
  sideEffects: false,
  exports: {
    '.': {
      '@webtasks/source': './src/index.ts',
      types: './dist/index.d.ts',
      import: './dist/index.js',
    },
  },
  main: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist', 'src', '!src/**/*.test.ts'],
  engines: { node: '>=20' },
  scripts: {
    build: 'tsup',
    typecheck: 'tsc -p tsconfig.json',
    test: 'vitest run',
  },
  dependencies: toMap(depList),
  devDependencies: {
    '@types/node': 'catalog:',
    tsup: 'catalog:',
    typescript: 'catalog:',
    vitest: 'catalog:',
    ...toMap(devList),
  },
};
const write = (file, content) => {
  if (!existsSync(join(dir, file))) writeFileSync(join(dir, file), content);
};
write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
const depth = dir.split('/').length;
const up = '../'.repeat(depth);
write(
  'tsconfig.json',
  `${JSON.stringify({ extends: `${up}tooling/tsconfig/base.json`, include: ['src'] }, null, 2)}\n`,
);
write(
  'tsup.config.ts',
  `import { defineConfig } from 'tsup';\n\nexport default defineConfig({\n  entry: ['src/index.ts'],\n  format: ['esm'],\n  dts: true,\n  clean: true,\n  sourcemap: true,\n  target: 'node20',\n});\n`,
);
write(
  'vitest.config.ts',
  `import { defineProject, mergeConfig } from 'vitest/config';\nimport { sharedTestConfig } from '${up}tooling/vitest.shared';\n\nexport default mergeConfig(sharedTestConfig, defineProject({ test: { name: '${name}' } }));\n`,
);
write('src/index.ts', `export {};\n`);
