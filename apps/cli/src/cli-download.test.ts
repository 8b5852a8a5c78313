import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FixtureSites, fixtureFiles, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runInProcess } from './__fixtures__/run-cli.js';

// `webtasks run --download DIR` on saved code that downloads the fixture file batch (real
// Chromium and isolates, no model). Through a server: tooling/scenarios/test/file-delivery.test.ts.

let sites: FixtureSites;
const scratch = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-download-'));
const dataDir = path.join(scratch, 'data');

const source = (base: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${base}/files');
  const links = await ctx.page.locator('li.file a').evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
  const files: unknown[] = [];
  for (const link of links) files.push(await ctx.files.download(link));
  return { files };
}
`;

beforeAll(async () => {
  sites = await startFixtureSites();
  writeFileSync(path.join(scratch, 'files.ts'), source(sites.baseUrl));
  const imported = await runInProcess(
    [
      'bundles',
      'import',
      'file-batch',
      'files.ts',
      '--schema',
      '{"type":"object"}',
      '--no-verify',
      '--data-dir',
      dataDir,
    ],
    { cwd: scratch },
  );
  expect(imported.code, imported.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await sites?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('webtasks run --download DIR', () => {
  it('writes every file the task downloaded, each matching the SHA-256 in its FileRef', async () => {
    const out = path.join(scratch, 'out');
    const run = await runInProcess(
      [
        'run',
        'Download every file',
        '--reuse-key',
        'file-batch',
        '--data-dir',
        dataDir,
        '--allow-host',
        new URL(sites.baseUrl).host,
        '--download',
        out,
        '--json',
      ],
      { cwd: scratch, env: cliEnv() },
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      result: { data: { files: Array<{ name: string; sha256: string; url: string; expiresAt: string }> } };
    };
    const refs = result.result.data.files;
    expect(refs.map((ref) => ref.name)).toEqual(fixtureFiles.map((file) => file.name));
    expect(readdirSync(out).sort()).toEqual(fixtureFiles.map((file) => file.name).sort());
    for (const [i, expected] of fixtureFiles.entries()) {
      const written = readFileSync(path.join(out, expected.name));
      expect(written.equals(Buffer.from(expected.body))).toBe(true);
      expect(refs[i]?.sha256).toBe(createHash('sha256').update(written).digest('hex'));
      expect(refs[i]?.url).toMatch(/\/files\/local\/files\/wt_/);
    }
    expect(run.stderr.match(/ok\)/g)).toHaveLength(fixtureFiles.length);
  }, 240_000);
});
