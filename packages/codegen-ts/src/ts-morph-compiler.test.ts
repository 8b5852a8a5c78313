import { WebTasksError } from '@webtasks/core';
import {
  bundleWithBody,
  DIRECTORY_BUNDLE,
  DIRECTORY_BUNDLE_OUTPUT,
  describeCodeCompilerContract,
  fakeDirectoryContext,
  runCompiledBundle,
} from '@webtasks/test-suite';
import { describe, expect, it } from 'vitest';
import { createTsMorphCompiler } from './ts-morph-compiler.js';

describeCodeCompilerContract({ name: 'ts-morph', create: () => createTsMorphCompiler() });

describe('createTsMorphCompiler', () => {
  const compiler = createTsMorphCompiler();

  it('compiles the realistic directory bundle with no diagnostic at all, and it runs', async () => {
    const result = await compiler.compile({ source: DIRECTORY_BUNDLE });
    expect(result.diagnostics).toEqual([]);
    if (!result.ok) return expect.fail('expected ok');
    expect(result.javascript.startsWith('"use strict";')).toBe(true);
    expect(result.javascript).toContain('exports.default = run;');
    expect(await runCompiledBundle(result.javascript, fakeDirectoryContext().context)).toEqual(
      DIRECTORY_BUNDLE_OUTPUT,
    );
  }, 60_000);

  it('strict null checks catch a nullable text used as a string', async () => {
    const result = await compiler.compile({
      source: bundleWithBody(
        "const text = await ctx.page.locator('h1').textContent();\n  return text.trim();",
      ),
    });
    expect(result.diagnostics.map((d) => d.code)).toContain('TS18047');
  });

  it('maxSourceBytes refuses larger sources with a diagnostic', async () => {
    const small = createTsMorphCompiler({ maxSourceBytes: 200 });
    const result = await small.compile({ source: bundleWithBody(`// ${'x'.repeat(300)}`) });
    expect(result).toEqual({
      ok: false,
      diagnostics: [expect.objectContaining({ line: 1, column: 1, code: 'webtasks/source-too-large' })],
    });
    expect(result.diagnostics[0]?.message).toMatch(/limit is 200/);
  });

  it('maxDiagnostics caps the list and says how many were left out', async () => {
    const capped = createTsMorphCompiler({ maxDiagnostics: 3 });
    const statements = Array.from({ length: 8 }, (_, i) => `const n${i}: number = 'x';`).join('\n  ');
    const result = await capped.compile({ source: bundleWithBody(statements) });
    expect(result.diagnostics).toHaveLength(4);
    expect(result.diagnostics[3]).toMatchObject({ code: 'webtasks/too-many-diagnostics' });
    expect(result.diagnostics[3]?.message).toMatch(/^5 more/);
  });

  it('allowedGlobals admits what the sandbox provides', async () => {
    const withUrl = createTsMorphCompiler({ allowedGlobals: ['URL'] });
    const source = bundleWithBody("const u = new URL('/a', 'https://example.test/');\n  return u.href;");
    expect((await withUrl.compile({ source })).ok).toBe(true);
    expect((await compiler.compile({ source })).ok).toBe(false);
  });

  it('a NUL byte is reported where it is', async () => {
    const result = await compiler.compile({ source: 'const a = 1;\nconst b\u0000 = 2;' });
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ line: 2, column: 8, code: 'webtasks/not-text' }),
    ]);
  });

  it('absurdly deep nesting is refused before it can overflow the compiler', async () => {
    const result = await compiler.compile({ source: `const a = ${'['.repeat(50_000)}` });
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ line: 1, column: 411, code: 'webtasks/too-deeply-nested' }),
    ]);
  });

  it('absurdly deep expressions and very long lines are refused, and the next compile stays fast', async () => {
    const nots = await compiler.compile({ source: `const n = ${'!\n'.repeat(5_000)}1;` });
    expect(nots.diagnostics).toEqual([expect.objectContaining({ code: 'webtasks/too-deeply-nested' })]);
    const long = await compiler.compile({ source: `const n = 1;\nconst s = ${'-'.repeat(50_000)}1;` });
    expect(long.diagnostics).toEqual([
      expect.objectContaining({ line: 2, column: 1, code: 'webtasks/line-too-long' }),
    ]);
    const started = performance.now();
    expect((await compiler.compile({ source: bundleWithBody('') })).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a non-string source yields a diagnostic', async () => {
    const result = await compiler.compile({ source: 42 as unknown as string });
    expect(result).toMatchObject({ ok: false, diagnostics: [{ code: 'webtasks/not-text' }] });
  });

  it('a call aborted while queued rejects at once and the queue carries on', async () => {
    const slow = compiler.compile({ source: DIRECTORY_BUNDLE });
    const controller = new AbortController();
    const queued = compiler.compile({ source: bundleWithBody(''), signal: controller.signal });
    controller.abort();
    const error = await queued.catch((e: unknown) => e);
    expect(WebTasksError.hasCode(error, 'aborted')).toBe(true);
    expect((await slow).ok).toBe(true);
    expect((await compiler.compile({ source: bundleWithBody('') })).ok).toBe(true);
  });

  it('runtime declarations that do not type-check are a configuration error', async () => {
    const broken = createTsMorphCompiler({
      runtimeDeclarations:
        "declare module 'webtasks:runtime' { export interface TaskContext { page: Missing } }",
    });
    const error = await broken.compile({ source: bundleWithBody('') }).catch((e: unknown) => e);
    expect(WebTasksError.hasCode(error, 'invalid-config')).toBe(true);
    expect((error as Error).message).toMatch(/^\[webtasks:codegen-ts\].*Missing/);
  }, 60_000);
});
