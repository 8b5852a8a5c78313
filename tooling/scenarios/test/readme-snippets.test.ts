import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RUNTIME_DECLARATIONS } from '@webtasks/core';
import { createFsBundleStore } from '@webtasks/store-fs';
import { filterCompanies, startFixtureSites } from '@webtasks/test-suite';
import { describe, expect, it } from 'vitest';
import {
  type Block,
  ROOT,
  RUNNABLE_MARK,
  rootLibraryExample,
  runNodeIn,
  savedDirectoryBundle,
  toJavaScript,
  typeScriptBlocks,
} from './readme-blocks.js';

// Every TypeScript snippet of README.md and the package READMEs type-checks, the way a user
// would paste it: each snippet is written into the package it documents (the root README's
// into this package, which depends on what it imports) and checked with the workspace's tsc.
// Snippets marked runnable (a `<!-- runnable -->` line right before the ```ts fence, see
// CONTRIBUTING.md) are also run with plain `node` from a scratch working directory.

const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const SNIPPETS_DIR = '.readme-snippets';

interface Readme {
  /** README path relative to the root. */
  file: string;
  /** Package directory the snippets are checked in. */
  checkIn: string;
}

function readmes(): Readme[] {
  const found: Readme[] = [{ file: 'README.md', checkIn: 'tooling/scenarios' }];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(path.join(ROOT, group)).sort()) {
      const file = path.join(group, name, 'README.md');
      if (existsSync(path.join(ROOT, file))) found.push({ file, checkIn: path.join(group, name) });
    }
  }
  return found;
}

describe('TypeScript snippets in the READMEs', () => {
  const all = readmes().map((readme) => ({
    ...readme,
    blocks: typeScriptBlocks(readFileSync(path.join(ROOT, readme.file), 'utf8')),
  }));

  it('the root README has its library example among them, marked runnable', () => {
    expect(all[0]?.blocks.some((block) => block.code.includes('createWebTasks(') && block.runnable)).toBe(
      true,
    );
  });

  it('every runnable mark is right before a ```ts block', () => {
    for (const readme of all) {
      const lines = readFileSync(path.join(ROOT, readme.file), 'utf8').split('\n');
      lines.forEach((line, index) => {
        if (line.trim() !== RUNNABLE_MARK) return;
        expect(lines[index + 1], `${readme.file}:${index + 1}`).toMatch(/^```(ts|typescript)\s*$/);
      });
    }
  });

  it.each(all.filter((readme) => readme.blocks.length > 0).map((readme) => [readme.file, readme] as const))(
    '%s type-checks',
    (_file, readme) => {
      const dir = path.join(ROOT, readme.checkIn, SNIPPETS_DIR);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      try {
        readme.blocks.forEach((block, index) => {
          // A module of its own (top-level await, no clashes between snippets).
          writeFileSync(
            path.join(dir, `snippet-${index + 1}-line-${block.line}.ts`),
            `${block.code}\nexport {};\n`,
          );
        });
        // Bundle snippets import 'webtasks:runtime': the declaration `webtasks bundles types` writes.
        writeFileSync(path.join(dir, 'webtasks-runtime.d.ts'), RUNTIME_DECLARATIONS);
        writeFileSync(
          path.join(dir, 'tsconfig.json'),
          JSON.stringify({
            extends: path.relative(dir, path.join(ROOT, 'tooling/tsconfig/base.json')),
            compilerOptions: { noEmit: true, declaration: false, sourceMap: false },
            include: ['*.ts', '*.d.ts'],
          }),
        );
        const tsc = spawnSync(process.execPath, [TSC, '-p', '.', '--pretty', 'false'], {
          cwd: dir,
          encoding: 'utf8',
        });
        // "snippet-2-line-25.ts(2,55): error …" → which README and which block.
        const diagnostics = `${tsc.stdout}${tsc.stderr}`.replace(/^(?=snippet-)/gm, `${readme.file} `);
        expect(diagnostics.trim(), `snippets of ${readme.file}`).toBe('');
        expect(tsc.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    420_000, // tsc of the root README takes 3+ minutes on a loaded machine
  );
});

/**
 * Run JavaScript as a user would: written beside the package a README documents (so its
 * imports resolve there), started with plain `node` in the working directory `cwd`.
 */
async function runBeside(readme: Readme, javascript: string, cwd: string) {
  const dir = path.join(ROOT, readme.checkIn, '.readme-snippets-run');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `snippet-${process.pid}-${Date.now()}.mjs`);
  writeFileSync(file, javascript);
  try {
    return await runNodeIn([file], cwd);
  } finally {
    // Snippets of one README run one after another: the folder is this run's alone.
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('runnable snippets in the READMEs', () => {
  const runnable = readmes().flatMap((readme) =>
    typeScriptBlocks(readFileSync(path.join(ROOT, readme.file), 'utf8'))
      .filter((block) => block.runnable && readme.file !== 'README.md')
      .map((block) => [`${readme.file}:${block.line}`, readme, block] as const),
  );

  it('there are some besides the root README', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(3);
  });

  it.each(runnable)(
    '%s runs',
    async (_where, readme: Readme, block: Block) => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'webtasks-snippet-'));
      try {
        const run = await runBeside(readme, toJavaScript(block.code), cwd);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).not.toBe('');
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it('the root README library example runs: saved code with no model, and a failure that says why', async () => {
    const readme: Readme = { file: 'README.md', checkIn: 'tooling/scenarios' };
    const sites = await startFixtureSites();
    const cwd = mkdtempSync(path.join(tmpdir(), 'webtasks-readme-'));
    try {
      // The example as written, pointed at the fixture directory (a loopback site must be allowed).
      const example = rootLibraryExample(sites.baseUrl);

      // Nothing saved under "companies" and no model: the run fails at once, and the example says why.
      const unsaved = await runBeside(readme, example, cwd);
      expect(unsaved.code, unsaved.stderr).toBe(0);
      expect(unsaved.stdout).toBe('');
      expect(unsaved.stderr).toMatch(/^failed \(rejected\): .*model/m);

      // Saved code under "companies" in the example's data dir (.webtasks): it runs with no model.
      await createFsBundleStore({ directory: path.join(cwd, '.webtasks') }).save({
        bundle: savedDirectoryBundle(sites.baseUrl),
        expectedVersion: 0,
      });
      const saved = await runBeside(readme, example, cwd);
      expect(saved.code, saved.stderr).toBe(0);
      expect(saved.stderr).not.toMatch(/^failed/m);
      expect(saved.stdout).toContain(`name: '${filterCompanies({})[0]?.name}'`);
      expect(saved.stdout).toMatch(/used: true/);
      expect(saved.stdout).toMatch(/created: false/);
    } finally {
      await sites.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 240_000);
});
