import { type CodeCompiler, type CompileDiagnostic, type CompileResult, WebTasksError } from '@webtasks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORBIDDEN_CONSTRUCTS } from './compiler/forbidden-constructs.js';
import { DIRECTORY_BUNDLE_OUTPUT, fakeDirectoryContext, runCompiledBundle } from './compiler/run-compiled.js';
import { bundleWithBody, DIRECTORY_BUNDLE, RUN_BODY_FIRST_LINE } from './compiler/sample-bundles.js';

export { FORBIDDEN_CONSTRUCTS, type ForbiddenConstruct } from './compiler/forbidden-constructs.js';
export {
  DIRECTORY_BUNDLE_OUTPUT,
  type FakeDirectoryContext,
  fakeDirectoryContext,
  runCompiledBundle,
} from './compiler/run-compiled.js';
export { bundleWithBody, DIRECTORY_BUNDLE, RUN_BODY_FIRST_LINE } from './compiler/sample-bundles.js';

/** Options of `describeCodeCompilerContract`. */
export interface CodeCompilerContractOptions {
  /** Shown in the `describe` title, e.g. `ts-morph`. */
  name: string;
  /** The compiler under test. One instance serves the whole suite (compilers keep no per-call state). */
  create: () => Promise<CodeCompiler> | CodeCompiler;
  /** Release what `create` made. */
  cleanup?: (compiler: CodeCompiler) => Promise<void> | void;
  /** Tests (by exact title) this adapter cannot pass, with the reason; they are registered as skipped. */
  skip?: Array<{ reason: string; tests: string[] }>;
}

function errors(result: CompileResult): CompileDiagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'error');
}

function describeDiagnostics(result: CompileResult): string {
  return result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n');
}

/**
 * The CodeCompiler contract: valid bundles compile to CommonJS-shaped JavaScript that runs,
 * type errors and syntax errors carry the user's line and column, forbidden constructs and
 * unsupported Playwright members get `webtasks/*` diagnostics naming the alternative, any
 * input yields diagnostics rather than a throw, and compiling is deterministic.
 */
export function describeCodeCompilerContract(options: CodeCompilerContractOptions): void {
  describe(`CodeCompiler contract: ${options.name}`, () => {
    let compiler: CodeCompiler | undefined;
    beforeAll(async () => {
      compiler = await options.create();
    }, 120_000);
    afterAll(async () => {
      if (compiler) await options.cleanup?.(compiler);
    });

    const reasons = new Map<string, string>();
    for (const entry of options.skip ?? []) for (const title of entry.tests) reasons.set(title, entry.reason);
    const seen = new Set<string>();
    const test = (title: string, run: (compiler: CodeCompiler) => Promise<void>): void => {
      seen.add(title);
      const reason = reasons.get(title);
      if (reason !== undefined) {
        it.skip(`${title} (skipped: ${reason})`, () => {});
        return;
      }
      it(title, async () => {
        if (!compiler) throw new Error('create() did not return a compiler');
        await run(compiler);
      });
    };

    test('declares specification v1', async (c) => {
      expect(c.specificationVersion).toBe('v1');
    });

    test('a realistic bundle compiles to JavaScript that sets exports.default and runs', async (c) => {
      const result = await c.compile({ source: DIRECTORY_BUNDLE });
      expect(errors(result), describeDiagnostics(result)).toEqual([]);
      if (!result.ok) return expect.fail('expected ok');
      const fake = fakeDirectoryContext();
      expect(await runCompiledBundle(result.javascript, fake.context)).toEqual(DIRECTORY_BUNDLE_OUTPUT);
      expect(fake.calls[0]).toBe('goto https://example.test/companies');
      expect(fake.calls).toContain('click Next');
      expect(fake.calls).toContain('evaluateAll function .pdf');
      expect(fake.calls).toContain('download https://example.test/r.pdf report.pdf');
    });

    test('the JavaScript keeps async/await and has no import, require or type left', async (c) => {
      const result = await c.compile({ source: DIRECTORY_BUNDLE });
      if (!result.ok) return expect.fail(describeDiagnostics(result));
      expect(result.javascript).toMatch(/async function run\(ctx\)/);
      expect(result.javascript).toMatch(/await /);
      expect(result.javascript).not.toMatch(/\brequire\s*\(/);
      expect(result.javascript).not.toMatch(/^\s*import\s/m);
      expect(result.javascript).not.toMatch(/webtasks:runtime|interface Company|: TaskContext/);
    });

    test('a type error is reported at its line and column with its TypeScript code', async (c) => {
      const source = bundleWithBody('const title: number = await ctx.page.title();');
      const result = await c.compile({ source });
      expect(result.ok).toBe(false);
      const column = (source.split('\n')[RUN_BODY_FIRST_LINE - 1] ?? '').indexOf('title') + 1;
      expect(errors(result)).toContainEqual(
        expect.objectContaining({ line: RUN_BODY_FIRST_LINE, column, code: 'TS2322' }),
      );
      expect(errors(result)[0]?.message).toMatch(/string.*number/);
    });

    test('a wrong argument type is reported on the argument', async (c) => {
      const source = bundleWithBody('await ctx.page.goto(42);');
      const result = await c.compile({ source });
      const column = (source.split('\n')[RUN_BODY_FIRST_LINE - 1] ?? '').indexOf('42') + 1;
      expect(errors(result)).toEqual([
        expect.objectContaining({ line: RUN_BODY_FIRST_LINE, column, code: 'TS2345' }),
      ]);
    });

    test('DOM code is allowed inside functions passed to the page', async (c) => {
      const source = bundleWithBody(
        [
          'const title = await ctx.page.evaluate(() => document.title);',
          "  const texts = await ctx.page.$$eval('li', (items: HTMLElement[]) => items.map((item) => item.innerText));",
          "  const width = await ctx.page.locator('main').evaluate((main: HTMLElement) => main.getBoundingClientRect().width);",
          "  const body = await ctx.page.evaluate(async (url) => (await fetch(url)).text(), 'https://example.test/');",
          "  ctx.log.info(title, texts.length, width, body.length, await ctx.page.evaluate(() => window.localStorage.getItem('k')));",
        ].join('\n'),
      );
      const result = await c.compile({ source });
      expect(errors(result), describeDiagnostics(result)).toEqual([]);
      expect(result.ok).toBe(true);
    });

    for (const forbidden of FORBIDDEN_CONSTRUCTS) {
      test(`refuses ${forbidden.title}`, async (c) => {
        const result = await c.compile({ source: forbidden.source });
        expect(result.ok, describeDiagnostics(result)).toBe(false);
        const ours = errors(result).filter(
          (d) => d.code.startsWith('webtasks/') && d.line === forbidden.line,
        );
        expect(ours, describeDiagnostics(result)).not.toEqual([]);
        for (const diagnostic of ours) expect(diagnostic.message.length).toBeGreaterThan(20);
      });
    }

    test('an unsupported Playwright member names the supported alternative', async (c) => {
      const cases: Array<[string, RegExp]> = [
        ['await ctx.page.waitForNavigation();', /waitForURL|waitForLoadState/],
        ["await ctx.page.click('#submit');", /page\.locator\(selector\)\.click/],
        ["await ctx.page.fill('#name', 'Ada');", /page\.locator\(selector\)\.fill/],
        ["const first = await ctx.page.$('a');", /locator\(/],
        ["const handle = await ctx.page.locator('a').elementHandle();", /locator|evaluate/],
      ];
      for (const [statement, alternative] of cases) {
        const result = await c.compile({ source: bundleWithBody(statement) });
        const onLine = errors(result).filter((d) => d.line === RUN_BODY_FIRST_LINE);
        expect(onLine.length, `${statement}\n${describeDiagnostics(result)}`).toBeGreaterThan(0);
        expect(onLine.map((d) => d.message).join('\n'), statement).toMatch(alternative);
      }
    });

    test('a syntax error is reported at its line', async (c) => {
      const source = bundleWithBody("const rows = await ctx.page.locator('tr').all(;");
      const result = await c.compile({ source });
      expect(result.ok).toBe(false);
      expect(errors(result).length).toBeGreaterThan(0);
      expect(errors(result)[0]?.line).toBe(RUN_BODY_FIRST_LINE);
    });

    test('empty, garbage and oversized sources yield diagnostics, never a throw', async (c) => {
      const garbage = String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 65_536));
      const sources = [
        '',
        '   \n\n',
        garbage,
        '\u0000\u0001\u0002',
        'x'.repeat(5 * 1024 * 1024),
        '}}}{{{',
        '/*',
      ];
      for (const source of sources) {
        const result = await c.compile({ source });
        expect(result.ok).toBe(false);
        expect(errors(result).length).toBeGreaterThan(0);
        for (const d of result.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.column).toBeGreaterThanOrEqual(1);
        }
      }
    });

    test('compiling is deterministic', async (c) => {
      const broken = bundleWithBody('await ctx.page.waitForNavigation(); const n: string = 1; eval("x");');
      const first = await c.compile({ source: DIRECTORY_BUNDLE });
      const brokenFirst = await c.compile({ source: broken });
      const second = await c.compile({ source: DIRECTORY_BUNDLE });
      const brokenSecond = await c.compile({ source: broken });
      expect(second).toEqual(first);
      expect(brokenSecond).toEqual(brokenFirst);
    });

    test('concurrent compiles each get their own result', async (c) => {
      const sources = Array.from({ length: 6 }, (_, i) =>
        i % 2 === 0
          ? bundleWithBody(`const n${i}: number = ${i};`)
          : bundleWithBody(`const n${i}: number = '${i}';`),
      );
      const results = await Promise.all(sources.map((source) => c.compile({ source })));
      results.forEach((result, i) => {
        expect(result.ok, `source ${i}`).toBe(i % 2 === 0);
      });
    });

    test('an aborted signal rejects with an aborted WebTasksError', async (c) => {
      const controller = new AbortController();
      controller.abort();
      const error = await c
        .compile({ source: DIRECTORY_BUNDLE, signal: controller.signal })
        .catch((e: unknown) => e);
      expect(WebTasksError.hasCode(error, 'aborted')).toBe(true);
    });

    const unknown = [...reasons.keys()].filter((title) => !seen.has(title));
    if (unknown.length > 0) {
      it('skip list names only tests of this suite', () => {
        expect.fail(`skip names unknown tests: ${unknown.map((t) => JSON.stringify(t)).join(', ')}`);
      });
    }
  });
}
