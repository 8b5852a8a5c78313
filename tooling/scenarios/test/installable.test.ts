import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { filterCompanies, startFixtureSites } from '@webtasks/test-suite';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, rootLibraryExample, runNodeIn, savedDirectoryBundle } from './readme-blocks.js';

// The packages install outside this workspace: every public package is packed with
// `pnpm pack` (workspace: and catalog: versions resolved, only `files` shipped), the tarballs
// are installed with npm into a scratch project under the system's temp dir, and there the
// root README's library example runs on a fixture site and `npx webtasks --help` answers.
// publint checks every public tarball. Needs the packages built (`pnpm build`).

interface Packed {
  name: string;
  dir: string;
  tarball: string;
  private: boolean;
}

const work = mkdtempSync(path.join(realpathSync(tmpdir()), 'webtasks-install-'));
const tarballs = path.join(work, 'tarballs');
const scratch = path.join(work, 'scratch');
const packed: Packed[] = [];

function run(command: string, args: string[], cwd: string, timeout = 240_000) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, npm_config_update_notifier: 'false', NODE_OPTIONS: '' },
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} in ${cwd} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Public packages, plus the CLI and the server it starts (apps: private, never published, but packed for `npx webtasks`). */
function packageDirs(): string[] {
  const dirs = readdirSync(path.join(ROOT, 'packages'))
    .map((name) => path.join(ROOT, 'packages', name))
    .filter((dir) => existsSync(path.join(dir, 'package.json')));
  return [...dirs, path.join(ROOT, 'apps/cli'), path.join(ROOT, 'apps/server')];
}

beforeAll(() => {
  mkdirSync(tarballs);
  mkdirSync(scratch);
  for (const dir of packageDirs()) {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
    };
    if (!existsSync(path.join(dir, 'dist'))) throw new Error(`${dir}/dist is missing: run pnpm build first.`);
    const before = new Set(readdirSync(tarballs));
    run('pnpm', ['pack', '--pack-destination', tarballs], dir);
    const file = readdirSync(tarballs).find((f) => !before.has(f));
    if (!file) throw new Error(`pnpm pack wrote no tarball for ${manifest.name}`);
    packed.push({
      name: manifest.name,
      dir,
      tarball: path.join(tarballs, file),
      private: manifest.private === true,
    });
  }
  // Every @webtasks package from its tarball, also where one depends on another (overrides).
  const fromTarballs = Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));
  writeFileSync(
    path.join(scratch, 'package.json'),
    JSON.stringify({
      name: 'scratch',
      private: true,
      type: 'module',
      dependencies: fromTarballs,
      overrides: fromTarballs,
    }),
  );
  // Scripts are skipped: isolated-vm's is a 1–2 minute C++ build; its addon is taken from
  // this workspace's build of the same version and Node instead (the build is not what this tests).
  run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    scratch,
    600_000,
  );
  const workspaceVm = path.dirname(
    createRequire(path.join(ROOT, 'packages/sandbox-isolated-vm/package.json')).resolve(
      'isolated-vm/package.json',
    ),
  );
  const scratchVm = path.join(scratch, 'node_modules/isolated-vm');
  expect(JSON.parse(readFileSync(path.join(scratchVm, 'package.json'), 'utf8')).version).toBe(
    JSON.parse(readFileSync(path.join(workspaceVm, 'package.json'), 'utf8')).version,
  );
  mkdirSync(path.join(scratchVm, 'out'), { recursive: true });
  copyFileSync(path.join(workspaceVm, 'out/isolated_vm.node'), path.join(scratchVm, 'out/isolated_vm.node'));
}, 900_000);

// Hundreds of installed packages: removing them takes a while on a busy machine.
afterAll(() => rm(work, { recursive: true, force: true }), 300_000);

describe('the packed packages, installed outside the workspace', { timeout: 240_000 }, () => {
  it('every public package is publint-clean (suggestions included)', async () => {
    const problems: string[] = [];
    for (const pkg of packed.filter((p) => !p.private)) {
      const bytes = readFileSync(pkg.tarball);
      const { messages, pkg: manifest } = await publint({
        pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
        level: 'suggestion',
        strict: true,
      });
      for (const message of messages)
        problems.push(`${pkg.name}: ${formatMessage(message, manifest, { color: false })}`);
    }
    expect(packed.filter((p) => !p.private).length).toBeGreaterThanOrEqual(16);
    expect(problems).toEqual([]);
  });

  it('installs from the tarballs alone: every @webtasks package in node_modules is the packed one', () => {
    for (const pkg of packed) {
      const installed = path.join(scratch, 'node_modules', pkg.name);
      expect(existsSync(path.join(installed, 'dist/index.js')), pkg.name).toBe(true);
      // Only what `files` ships: no tests, no tsconfig.
      expect(existsSync(path.join(installed, 'tsconfig.json')), pkg.name).toBe(false);
    }
    // No copy of a @webtasks package nested anywhere (one would mean a registry fetch).
    const listing = run('npm', ['ls', '--all', '--parseable'], scratch);
    const nested = listing
      .split('\n')
      .filter((line) => /node_modules\/.+\/node_modules\/@webtasks\//.test(line));
    expect(nested).toEqual([]);
  });

  it('runs the root README library example there, on saved code with no model', async () => {
    const sites = await startFixtureSites();
    try {
      writeFileSync(path.join(scratch, 'example.mjs'), rootLibraryExample(sites.baseUrl));
      // The saved code, written with the installed @webtasks/store-fs.
      writeFileSync(
        path.join(scratch, 'seed.mjs'),
        `import { createFsBundleStore } from '@webtasks/store-fs';
await createFsBundleStore({ directory: '.webtasks' }).save({ bundle: ${JSON.stringify(savedDirectoryBundle(sites.baseUrl))}, expectedVersion: 0 });
`,
      );
      const seeded = await runNodeIn(['seed.mjs'], scratch);
      expect(seeded.stderr).toBe('');
      expect(seeded.code).toBe(0);
      const example = await runNodeIn(['example.mjs'], scratch);
      expect(example.code, example.stderr).toBe(0);
      expect(example.stderr).not.toMatch(/^failed/m);
      expect(example.stdout).toContain(`name: '${filterCompanies({})[0]?.name}'`);
      expect(example.stdout).toMatch(/used: true/);
    } finally {
      await sites.close();
    }
  });

  it('answers npx webtasks --help from the packed CLI', () => {
    const help = run('npx', ['--no-install', 'webtasks', '--help'], scratch, 120_000);
    expect(help).toContain('Usage: webtasks <command> [flags]');
    expect(realpathSync(path.join(scratch, 'node_modules/.bin/webtasks'))).toBe(
      path.join(scratch, 'node_modules/@webtasks/cli/dist/cli.js'),
    );
  });
});
