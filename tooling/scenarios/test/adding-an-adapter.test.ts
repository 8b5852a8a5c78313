// Follows docs/adding-an-adapter.md end to end: runs its scaffold command, installs, writes
// its code blocks, and runs the new package's contract suite. The package gets a random name
// inside the workspace (packages/tmp-guide-<id>) and is removed afterwards, with the lockfile
// restored, so the tree is left as it was.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../..', import.meta.url).pathname;
const guide = readFileSync(join(root, 'docs/adding-an-adapter.md'), 'utf8');
const id = randomBytes(4).toString('hex');
const folder = `packages/tmp-guide-${id}`;
const packageName = `@webtasks/tmp-guide-${id}`;
const lockfile = join(root, 'pnpm-lock.yaml');
const lockBefore = readFileSync(lockfile, 'utf8');
const env = {
  ...process.env,
  npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
};

/** The guide's text with its example package renamed to this run's temporary one. */
const renamed = (text: string) =>
  text.replaceAll('@webtasks/store-memo', packageName).replaceAll('packages/store-memo', folder);

function blocks(language: string): string[] {
  return [...guide.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(
    (m) => m[1] ?? '',
  );
}

function run(command: string, args: string[], cwd = root) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  return { code: result.status, output: `${result.stdout}\n${result.stderr}` };
}

afterAll(() => {
  rmSync(join(root, folder), { recursive: true, force: true });
  writeFileSync(lockfile, lockBefore);
  // Drop the temporary importer from node_modules' bookkeeping too.
  run('pnpm', ['install', '--offline', '--frozen-lockfile']);
});

describe('docs/adding-an-adapter.md, followed by a newcomer', () => {
  it('scaffolds, installs and passes the BlobStore contract with the code the guide shows', {
    timeout: 300_000,
  }, () => {
    const shell = blocks('sh');
    const scaffold = shell.find((block) => block.includes('scaffold.mjs'));
    expect(scaffold, 'the guide shows the scaffold command').toBeDefined();
    const commands = renamed(scaffold ?? '')
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(commands).toEqual([
      expect.stringMatching(/^node tooling\/scripts\/scaffold\.mjs /),
      'pnpm install',
    ]);

    const scaffolded = run('sh', ['-c', commands[0] ?? 'false']);
    expect(scaffolded.code, scaffolded.output).toBe(0);
    // `pnpm install` as the guide says; offline (nothing new to download) and allowed to add
    // the new package to the lockfile even under CI=true.
    const installed = run('pnpm', ['install', '--offline', '--no-frozen-lockfile']);
    expect(installed.code, installed.output).toBe(0);
    expect(existsSync(join(root, folder, 'node_modules/@webtasks/core/package.json'))).toBe(true);

    const files = blocks('ts')
      .map(renamed)
      .map((code) => ({ path: /^\/\/ (\S+)\n/.exec(code)?.[1], code }))
      .filter((file): file is { path: string; code: string } => file.path?.startsWith(`${folder}/`) === true);
    expect(files.map((file) => file.path.slice(folder.length + 1)).sort()).toEqual([
      'src/index.ts',
      'src/memo-blob-store.test.ts',
      'src/memo-blob-store.ts',
    ]);
    for (const file of files) writeFileSync(join(root, file.path), file.code);

    const contract = shell.find((block) => block.includes('vitest run --project'));
    const vitestArgs = renamed(contract ?? '')
      .trim()
      .split(/\s+/);
    expect(vitestArgs.slice(0, 4)).toEqual(['pnpm', 'exec', 'vitest', 'run']);
    const tested = run('pnpm', [...vitestArgs.slice(1), '--reporter=dot']);
    expect(tested.code, tested.output).toBe(0);
    expect(tested.output).toMatch(/Tests\s+\d+ passed/);
    expect(tested.output).not.toMatch(/failed|skipped/);

    const typed = run('pnpm', ['exec', 'tsc', '-p', `${folder}/tsconfig.json`, '--noEmit']);
    expect(typed.code, typed.output).toBe(0);
  });

  it('scaffold refuses catalog: for a dependency the catalog does not list, and says what to do', () => {
    const target = mkdtempSync(join(tmpdir(), 'webtasks-scaffold-'));
    try {
      const refused = run('node', [
        'tooling/scripts/scaffold.mjs',
        join(target, 'a'),
        '@x/a',
        'a',
        'left-pad',
      ]);
      expect(refused.code).toBe(2);
      expect(refused.output).toContain(
        'left-pad is not in the pnpm catalog: pass a version (left-pad@<version>)',
      );
      expect(existsSync(join(target, 'a'))).toBe(false);
      const written = run('node', [
        'tooling/scripts/scaffold.mjs',
        join(target, 'b'),
        '@x/b',
        'b',
        '@webtasks/core,zod,left-pad@1.3.0',
      ]);
      expect(written.code, written.output).toBe(0);
      const pkg = JSON.parse(readFileSync(join(target, 'b/package.json'), 'utf8'));
      expect(pkg.dependencies).toEqual({
        '@webtasks/core': 'workspace:*',
        zod: 'catalog:',
        'left-pad': '1.3.0',
      });
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  });
});
