// The bench imports the workspace's *built* packages by path: `bench/` is not a workspace
// package (no install step, no lockfile change), and dist is what users run.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Package name → the folder holding it. */
export const PACKAGES = {
  '@webtasks/core': 'packages/core',
  '@webtasks/protocol': 'packages/protocol',
  '@webtasks/memory': 'packages/memory',
  '@webtasks/store-fs': 'packages/store-fs',
  '@webtasks/browser-playwright': 'packages/browser-playwright',
  '@webtasks/sandbox-isolated-vm': 'packages/sandbox-isolated-vm',
  '@webtasks/codegen-ts': 'packages/codegen-ts',
  '@webtasks/client': 'packages/client',
  '@webtasks/test-suite': 'packages/test-suite',
  '@webtasks/server': 'apps/server',
};

/** Built entry files that must exist before the bench can run. */
export function missingBuilds() {
  return Object.entries(PACKAGES)
    .filter(([, folder]) => !existsSync(join(ROOT, folder, 'dist', 'index.js')))
    .map(([name]) => name);
}

/** Import a workspace package from its dist. */
export function load(name) {
  const folder = PACKAGES[name];
  if (!folder) throw new Error(`bench: unknown package ${name}`);
  return import(pathToFileURL(join(ROOT, folder, 'dist', 'index.js')).href);
}

/** playwright-core, the very copy the browser adapter uses. */
export async function loadPlaywright() {
  const require = createRequire(join(ROOT, 'packages/browser-playwright/package.json'));
  const module = await import(pathToFileURL(require.resolve('playwright-core')).href);
  return module.chromium ? module : module.default;
}

/** The workspace's TypeScript (to turn a bundle into the plain script of the baseline). */
export function loadTypeScript() {
  const require = createRequire(join(ROOT, 'package.json'));
  return require('typescript');
}
