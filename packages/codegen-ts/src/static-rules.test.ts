import type { CompileResult } from '@webtasks/core';
import { bundleWithBody, RUN_BODY_FIRST_LINE } from '@webtasks/test-suite';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTsMorphCompiler, type TsMorphCodeCompiler } from './ts-morph-compiler.js';

let compiler: TsMorphCodeCompiler;
beforeAll(async () => {
  compiler = createTsMorphCompiler();
  await compiler.warmUp();
}, 60_000);

function codes(result: CompileResult): string[] {
  return result.diagnostics.map((d) => `${d.line}:${d.code}`);
}

async function compileBody(statement: string, beforeRun = ''): Promise<CompileResult> {
  return compiler.compile({ source: bundleWithBody(statement, beforeRun) });
}

describe('static rules of the ts-morph compiler', () => {
  it('refuses each forbidden global with its own rule and advice', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ["require('fs');", 'webtasks/no-node-api', /ctx/],
      ['process.exit(1);', 'webtasks/no-node-api', /ctx\.params/],
      ["eval('1');", 'webtasks/no-eval', /write it out/],
      ['const g = globalThis;', 'webtasks/no-global-object', /ctx/],
      [
        "const r = await fetch('https://example.test/');",
        'webtasks/no-browser-api',
        /files\.download|evaluate/,
      ],
      ['setInterval(() => {}, 10);', 'webtasks/no-timers', /waitForTimeout/],
      ["console.log('x');", 'webtasks/no-browser-api', /ctx\.log\.info/],
      ["await page.goto('https://example.test/');", 'webtasks/use-context', /ctx\.page/],
      ['expect(1).toBe(1);', 'webtasks/unsupported-api', /locator/],
      ["const u = new URL('https://example.test/');", 'webtasks/no-browser-api', /href/],
      ['const n = navigator.userAgent;', 'webtasks/no-browser-api', /page\.evaluate/],
    ];
    for (const [statement, code, advice] of cases) {
      const result = await compileBody(statement);
      const found = result.diagnostics.find((d) => d.code === code && d.line === RUN_BODY_FIRST_LINE);
      expect(found, `${statement} → ${codes(result).join(', ')}`).toBeDefined();
      expect(found?.message).toMatch(advice);
      // The rule replaces TypeScript's own "Cannot find name" at the same spot.
      expect(
        result.diagnostics.filter((d) => d.line === RUN_BODY_FIRST_LINE && d.column === found?.column),
      ).toHaveLength(1);
    }
  });

  it('allows the same browser APIs inside page functions, including a named one', async () => {
    const result = await compiler.compile({
      source: bundleWithBody(
        [
          'const links = await ctx.page.$$eval("a", collectLinks);',
          '  const data = await ctx.page.evaluate(async () => { await new Promise((r) => setTimeout(r, 10)); console.log(location.href); return localStorage.length; });',
          '  ctx.log.info(links, data);',
        ].join('\n'),
        'function collectLinks(anchors: Element[]) {\n  return anchors.map((a) => new URL((a as HTMLAnchorElement).href, document.baseURI).toString());\n}',
      ),
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('refuses eval and require inside page functions too', async () => {
    const result = await compileBody("await ctx.page.evaluate(() => eval('document.title'));");
    expect(codes(result)).toContain(`${RUN_BODY_FIRST_LINE}:webtasks/no-eval`);
  });

  it('refuses closures over bundle variables in page functions, naming the argument to use', async () => {
    const result = await compileBody(
      "const selector = 'h1';\n  const text = await ctx.page.evaluate(() => document.querySelector(selector)?.textContent ?? '');",
    );
    const closure = result.diagnostics.find((d) => d.code === 'webtasks/evaluate-closure');
    expect(closure).toMatchObject({ line: RUN_BODY_FIRST_LINE + 1 });
    expect(closure?.message).toMatch(/`selector`.*evaluate\(\(arg\) => …, selector\)/);
    const passed = await compileBody(
      "const selector = 'h1';\n  const text = await ctx.page.evaluate((s) => document.querySelector(s)?.textContent ?? '', selector);",
    );
    expect(passed.diagnostics).toEqual([]);
  });

  it('allows only type imports from webtasks:runtime', async () => {
    const ok = await compiler.compile({
      source: bundleWithBody(
        '',
        "import { type Locator } from 'webtasks:runtime';\nconst none: Locator[] = [];",
      ),
    });
    expect(ok.diagnostics).toEqual([]);
    const value = await compiler.compile({
      source: bundleWithBody('', "import { Locator } from 'webtasks:runtime';"),
    });
    expect(codes(value)).toEqual(['2:webtasks/no-import']);
    expect(value.diagnostics[0]?.message).toMatch(/import type/);
    const node = await compiler.compile({ source: bundleWithBody('', "import * as fs from 'node:fs';") });
    // One diagnostic: TypeScript's "Cannot find module" inside the refused import is dropped.
    expect(codes(node)).toEqual(['2:webtasks/no-import']);
  });

  it('refuses ambient declarations, namespaces, reference directives and @ts-nocheck', async () => {
    const declared = await compiler.compile({
      source: bundleWithBody("require('fs');", 'declare const require: (id: string) => unknown;'),
    });
    expect(codes(declared)).toContain('2:webtasks/no-declare');
    const reference = await compiler.compile({
      source: `/// <reference lib="webworker" />\n${bundleWithBody('')}`,
    });
    expect(codes(reference)).toContain('1:webtasks/no-reference');
    const noCheck = await compiler.compile({ source: `// @ts-nocheck\n${bundleWithBody('')}` });
    expect(codes(noCheck)).toContain('1:webtasks/no-ts-nocheck');
    const space = await compiler.compile({
      source: bundleWithBody('', 'namespace Helpers { export const x = 1; }'),
    });
    expect(codes(space)).toContain('2:webtasks/no-declare');
  });

  it('refuses prototype tricks but not ordinary property names', async () => {
    const tricks = await compileBody(
      "const f = (async () => {}).constructor;\n  const g = Object.getPrototypeOf(ctx)['constructor'];",
    );
    expect(codes(tricks)).toEqual([
      `${RUN_BODY_FIRST_LINE}:webtasks/no-prototype-tricks`,
      `${RUN_BODY_FIRST_LINE + 1}:webtasks/no-prototype-tricks`,
    ]);
    const fine = await compileBody(
      'class Row { constructor(readonly name: string) {} kind() { return this.constructor.name; } }\n  ctx.log.info(new Row("a").kind());',
    );
    expect(fine.diagnostics).toEqual([]);
  });

  it('warns about named value exports but still compiles; type exports are fine', async () => {
    const result = await compiler.compile({
      source: `${bundleWithBody('')}export const helper = 1;\nexport interface Output { ok: boolean }\n`,
    });
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ line: 7, code: 'webtasks/named-export', severity: 'warning' }),
    ]);
  });

  it('accepts arrow, aliased and typed-params default exports', async () => {
    const sources = [
      "import type { TaskContext } from 'webtasks:runtime';\nexport default async (ctx: TaskContext) => ctx.page.title();\n",
      "import type { TaskContext } from 'webtasks:runtime';\nconst run = async ({ page }: TaskContext) => page.url();\nexport default run;\n",
      "import type { TaskContext } from 'webtasks:runtime';\nasync function run(ctx: TaskContext<{ batch: string }>) { return ctx.params.batch; }\nexport { run as default };\n",
      'export default async function run() {\n  return 1;\n}\n',
    ];
    for (const source of sources) {
      const result = await compiler.compile({ source });
      expect(result.diagnostics, source).toEqual([]);
    }
  });

  it("adds the alternative to TypeScript's missing-member error where no rule fires", async () => {
    const result = await compileBody('const { waitForNavigation, frobnicate } = ctx.page;');
    const messages = result.diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(messages.find((m) => m.includes("'waitForNavigation'"))).toMatch(/^TS2339 .*waitForURL/);
    expect(messages.find((m) => m.includes("'frobnicate'"))).toMatch(
      /subset of Playwright's.*interface Page/,
    );
  });

  it('refuses top-level await, which would run before there is a context', async () => {
    const result = await compiler.compile({
      source: bundleWithBody('', 'const ready = await Promise.resolve(1);'),
    });
    expect(codes(result)).toEqual(['2:webtasks/no-top-level-await']);
  });

  it('a with statement is refused', async () => {
    const result = await compileBody('with (ctx) { log.info(1); }');
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]?.line).toBe(RUN_BODY_FIRST_LINE);
  });
});
