import { describe, expect, it } from 'vitest';
import { createTsMorphCompiler } from './ts-morph-compiler.js';

const compiler = createTsMorphCompiler();

const bundle = (body: string) => `import type { TaskContext } from 'webtasks:runtime';
export default async function run(ctx: TaskContext) {
${body}
}
`;

describe('idioms models write compile cleanly', () => {
  it('an empty array that is filled later', async () => {
    const result = await compiler.compile({
      source: bundle(`  const files = [];
  for (const url of ['a', 'b']) files.push(await ctx.files.download(url));
  return { files };`),
    });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('element callbacks annotated with a specific element type', async () => {
    const result = await compiler.compile({
      source:
        bundle(`  const links = await ctx.page.locator('a').evaluateAll((anchors: HTMLAnchorElement[]) => anchors.map((a) => a.href));
  const rows = await ctx.page.$$eval('tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')));
  const value = await ctx.page.locator('input').evaluate((input: HTMLInputElement) => input.value);
  return { links, rows, value };`),
    });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('still reports a parameter with no type at all', async () => {
    const result = await compiler.compile({
      source: bundle(`  function clean(text) { return text.trim(); }
  return clean(await ctx.page.title());`),
    });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toContain('TS7006');
  });
});
