import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RUNTIME_DECLARATIONS } from '@webtasks/core';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runInProcess } from './__fixtures__/run-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'webtasks-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('webtasks bundles types', () => {
  it('writes the runtime declaration so a hand-written bundle type-checks outside the engine', async () => {
    const out = path.join(dir, 'types');
    const run = await runInProcess(['bundles', 'types', '--out', out, '--data-dir', path.join(dir, 'data')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('webtasks-runtime.d.ts');
    expect(readFileSync(path.join(out, 'webtasks-runtime.d.ts'), 'utf8')).toBe(RUNTIME_DECLARATIONS);

    // An editor's view: the example bundle, the declaration, a strict tsconfig — and tsc.
    copyFileSync(path.join(REPO_ROOT, 'examples/demo-bundle/bundle.ts'), path.join(dir, 'bundle.ts'));
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          types: [],
        },
        include: ['bundle.ts', 'types/*.d.ts'],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir],
      {
        encoding: 'utf8',
      },
    );
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);

    // Without the declaration, the import does not resolve: the file is what makes it work.
    rmSync(out, { recursive: true });
    const without = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir],
      {
        encoding: 'utf8',
      },
    );
    expect(without.stdout).toContain("Cannot find module 'webtasks:runtime'");
  }, 60_000);
});
