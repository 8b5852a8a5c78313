// Package skeletons (docs/adding-an-adapter.md, step 1):
// `node tooling/scripts/scaffold.mjs <dir> <name> "<description>" dep1,dep2@1.2.3 devdep1 [--private]`.
// @webtasks/* dependencies become `workspace:*`; a dependency in the pnpm catalog becomes
// `catalog:`; any other needs an explicit version (`better-sqlite3@12.4.1`), because pnpm
// refuses `catalog:` for a name the catalog does not list.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(new URL('../..', import.meta.url).pathname);
const [dir, name, description, depList = '', devList = '', ...flags] = process.argv.slice(2);
if (!dir || !name || !description) {
  console.error(
    'usage: node tooling/scripts/scaffold.mjs <dir> <name> "<description>" [deps] [devDeps] [--private]',
  );
  process.exit(2);
}
const isPrivate = flags.includes('--private');

/** The names in the `catalog:` of pnpm-workspace.yaml. */
function catalogNames() {
  const names = new Set();
  let inCatalog = false;
  for (const line of readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').split('\n')) {
    if (/^\S/.test(line)) inCatalog = line.trim() === 'catalog:';
    else if (inCatalog) {
      const match = /^\s+['"]?([^'":]+)['"]?\s*:/.exec(line);
      if (match) names.add(match[1]);
    }
  }
  return names;
}
const catalog = catalogNames();

/** `name` or `name@version` → [name, specifier]. */
function specifier(entry) {
  const at = entry.lastIndexOf('@');
  const [dependency, version] = at > 0 ? [entry.slice(0, at), entry.slice(at + 1)] : [entry, undefined];
  if (dependency.startsWith('@webtasks/')) return [dependency, 'workspace:*'];
  if (version) return [dependency, version];
  if (catalog.has(dependency)) return [dependency, 'catalog:'];
  console.error(
    `${dependency} is not in the pnpm catalog: pass a version (${dependency}@<version>), or add it to \`catalog:\` in pnpm-workspace.yaml when other packages share it.`,
  );
  process.exit(2);
}
const toMap = (list) => Object.fromEntries(list.split(',').filter(Boolean).map(specifier));
const dependencies = toMap(depList);
const devDependencies = toMap(devList);
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
  dependencies,
  devDependencies: {
    '@types/node': 'catalog:',
    tsup: 'catalog:',
    typescript: 'catalog:',
    vitest: 'catalog:',
    ...devDependencies,
  },
};
const write = (file, content) => {
  if (!existsSync(join(dir, file))) writeFileSync(join(dir, file), content);
};
write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
const up = `${relative(resolve(dir), root).split('\\').join('/')}/`;
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
  `import { defineProject, mergeConfig } from 'vitest/config';\nimport { sharedTestConfig } from '${up}tooling/vitest.shared.ts';\n\nexport default mergeConfig(sharedTestConfig, defineProject({ test: { name: '${name}' } }));\n`,
);
write('src/index.ts', `export {};\n`);
