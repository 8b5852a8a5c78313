import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWithBody, DIRECTORY_BUNDLE } from '@webtasks/test-suite';
import { describe, expect, it } from 'vitest';

// The compiler thread starts from the built package (`dist/compiler-worker.js`), so the checks
// run in a plain Node process on the build (`__fixtures__/thread-probe.mjs`). `npm test` builds
// first.
const DIST_WORKER = new URL('../dist/compiler-worker.js', import.meta.url);
const PROBE = fileURLToPath(new URL('./__fixtures__/thread-probe.mjs', import.meta.url));

interface ProbeReport {
  onThread: number;
  onCaller: number;
  sameVersion: boolean;
  same: Array<{ equal: boolean; ok: boolean; codes: string[] }>;
  afterClose: { ok: boolean; diagnostics: Array<{ code: string; message: string }> };
  againOk: boolean;
  brokenWarmUp: string;
}

async function probe(sources: string[]): Promise<ProbeReport> {
  if (!existsSync(fileURLToPath(DIST_WORKER))) {
    throw new Error(
      'packages/codegen-ts/dist is missing: run `pnpm build` (npm test does) before this test.',
    );
  }
  const child = spawn(process.execPath, [PROBE], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(JSON.stringify({ sources }));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the probe exited with ${code}:\n${stderr}`);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ProbeReport;
}

describe('the compiler thread (built package)', () => {
  it('keeps the event loop free while it loads ts-morph and type-checks, gives what a compile on the caller’s thread gives, and survives close()', async () => {
    const report = await probe([
      DIRECTORY_BUNDLE,
      bundleWithBody("const u = new URL('/a', 'https://example.test/');\n  return u.href;"),
      bundleWithBody("const a: number = 'x'; const b: number = 'y'; const c: number = 'z';"),
      bundleWithBody("await ctx.page.evaluate(() => document.title);\n  return require('fs');"),
      'export default 42',
    ]);
    console.info(
      `[codegen-ts] worst event-loop delay during a cold start + compile: ${report.onThread.toFixed(0)} ms on the compiler thread, ${report.onCaller.toFixed(0)} ms on the caller's`,
    );
    // Loading ts-morph and the first type-check block the caller's thread for a second or more.
    expect(report.onCaller).toBeGreaterThan(300);
    expect(report.onThread).toBeLessThan(report.onCaller / 3);

    // Same JavaScript and diagnostics, with the options (allowedGlobals, maxDiagnostics) applied on the thread.
    expect(report.sameVersion).toBe(true);
    expect(report.same.map((entry) => entry.equal)).toEqual([true, true, true, true, true]);
    expect(report.same.map((entry) => entry.ok)).toEqual([true, true, false, false, false]);
    expect(report.same[2]?.codes).toEqual(['TS2322', 'TS2322', 'webtasks/too-many-diagnostics']);

    // close() fails what the thread held; a later compile starts a new thread.
    expect(report.afterClose).toMatchObject({
      ok: false,
      diagnostics: [
        expect.objectContaining({ code: 'webtasks/internal', message: expect.stringMatching(/closed/) }),
      ],
    });
    expect(report.againOk).toBe(true);
    // An error thrown on the thread keeps its code.
    expect(report.brokenWarmUp).toBe('invalid-config');
  }, 180_000);
});
