import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './__fixtures__/run-cli.js';

// `npm run demo` and `npm test` on a machine with Node and npm only: pnpm is hidden from PATH,
// npm_config_nodedir is unset, and the commands must set everything up themselves.

const scratch = mkdtempSync(path.join(tmpdir(), 'webtasks-bare-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A PATH directory with every program of this PATH except pnpm. */
function pathWithoutPnpm(): string {
  const bin = path.join(scratch, 'bin');
  if (existsSync(bin)) return bin;
  mkdirSync(bin);
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir || !existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name === 'pnpm' || name === 'pnpx' || existsSync(path.join(bin, name))) continue;
      symlinkSync(path.join(dir, name), path.join(bin, name));
    }
  }
  return bin;
}

/** The environment of a fresh shell: no pnpm, no npm/pnpm variables of the test runner. */
function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|PNPM_|pnpm_|VITEST|TURBO_|NODE_OPTIONS$|WEBTASKS_|ANTHROPIC_)/i.test(name)) continue;
    env[name] = value;
  }
  return { ...env, PATH: pathWithoutPnpm(), NO_COLOR: '1', ...extra };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('set-up on a bare machine', () => {
  it('without pnpm and without a reachable registry, says in one line how to get pnpm', async () => {
    const result = await run(
      process.execPath,
      ['tooling/scripts/demo.mjs'],
      REPO_ROOT,
      bareEnv({
        npm_config_registry: 'http://127.0.0.1:9/',
        npm_config_cache: path.join(scratch, 'empty-npm-cache'),
        npm_config_fetch_retries: '0',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('pnpm is not installed: fetching pnpm 12.4.2 with npm');
    const message = result.stderr.trim();
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^demo: pnpm 12\.4\.2 is not installed and npm could not download it/);
    expect(message).toContain('npm install -g pnpm@12.4.2');
    expect(result.stdout + result.stderr).not.toContain('exit null');
  }, 120_000);

  it('a WEBTASKS_CHROMIUM_PATH that does not exist is named, with what to do', async () => {
    const result = await run(
      process.execPath,
      ['tooling/scripts/demo.mjs'],
      REPO_ROOT,
      bareEnv({ WEBTASKS_CHROMIUM_PATH: '/nowhere/chromium' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'demo: WEBTASKS_CHROMIUM_PATH=/nowhere/chromium does not exist: point it at a Chromium or Chrome binary, or unset it.',
    );
  }, 120_000);

  it('in a clean clone, `npm run demo` then `npm test -- --setup-only` set everything up', async () => {
    const clone = path.join(scratch, 'clone');
    const cloned = await run(
      'git',
      ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone],
      scratch,
      process.env,
    );
    expect(cloned.code, cloned.stderr).toBe(0);
    // turbo's cache of this checkout: packages whose sources match come from it. The CLI is
    // changed in the clone, so it compiles and the per-package progress shows.
    const env = bareEnv({ TURBO_CACHE_DIR: path.join(REPO_ROOT, '.turbo/cache') });
    appendFileSync(path.join(clone, 'apps/cli/src/help.ts'), `// ${Date.now()}\n`);

    const demo = await run('npm', ['run', 'demo'], clone, env);
    expect(demo.code, `${demo.stdout}\n${demo.stderr}`).toBe(0);
    expect(demo.stdout).toContain('== pnpm: pnpm 12.4.2 from npm');
    expect(demo.stdout).toMatch(/== dependencies: pnpm install --frozen-lockfile .*Node headers from \/usr/);
    expect(demo.stdout).toContain('== chromium: /usr/bin/chromium');
    // a line per package with its elapsed time, the CLI last
    expect(demo.stdout).toMatch(/\[ ?1\/\d+\] @webtasks\/protocol\s+(built|from cache)\s+\d+\.\ds/);
    expect(demo.stdout).toMatch(/\[(\d+)\/\1\] @webtasks\/cli\s+built\s+\d+\.\ds/);
    expect(demo.stdout).toContain('The saved code was reused: 0 model calls');
    expect(demo.stdout + demo.stderr).not.toContain('exit null');

    const test = await run('npm', ['test', '--', '--setup-only'], clone, env);
    expect(test.code, `${test.stdout}\n${test.stderr}`).toBe(0);
    expect(test.stdout).toContain('== dependencies: installed');
    expect(test.stdout).toMatch(/== build: 1\d packages/);
    expect(test.stdout).toContain('== services: PostgreSQL and Redis');
    expect(test.stdout).toMatch(/== test: set up in \d+\.\ds/);
  }, 900_000);
});
