import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// The README's TypeScript blocks, as the snippet test and the installability test read them.

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A line that marks the next ```ts block as runnable (documented in CONTRIBUTING.md). */
export const RUNNABLE_MARK = '<!-- runnable -->';

export interface Block {
  /** Line of the block's first line of code. */
  line: number;
  code: string;
  /** Marked `<!-- runnable -->` on the line before its fence. */
  runnable: boolean;
}

/** The ```ts blocks of a markdown file, with the line each starts on. */
export function typeScriptBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? '')) continue;
    const runnable = (lines[i - 1] ?? '').trim() === RUNNABLE_MARK;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? '')) end += 1;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n'), runnable });
    i = end;
  }
  return blocks;
}

/** `code` with `from` replaced by `to`, exactly once: a README edit that breaks it throws. */
export function replaceOnce(code: string, from: string, to: string): string {
  const at = code.indexOf(from);
  if (at < 0)
    throw new Error(`The README snippet no longer contains ${from}: update the test's substitution.`);
  if (code.indexOf(from, at + 1) >= 0) throw new Error(`The README snippet contains ${from} twice.`);
  return code.slice(0, at) + to + code.slice(at + from.length);
}

/**
 * The root README's library example, pointed at a site on 127.0.0.1 (its start URL, and the
 * host the browser's egress policy must allow), as JavaScript ready for `node`.
 */
export function rootLibraryExample(siteBaseUrl: string): string {
  const block = typeScriptBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).find(
    (b) => b.runnable && b.code.includes('createWebTasks('),
  );
  if (!block) throw new Error('README.md has no runnable block with createWebTasks(');
  let code = replaceOnce(block.code, "'https://example.test/companies'", `'${siteBaseUrl}/directory'`);
  code = replaceOnce(
    code,
    'createPlaywrightBrowserProvider({})',
    `createPlaywrightBrowserProvider({ egress: { allowHosts: ['${new URL(siteBaseUrl).host}'] } })`,
  );
  return toJavaScript(code);
}

/** TypeScript → an ES module for plain `node` (types dropped, nothing else changed). */
export function toJavaScript(code: string): string {
  return ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}

/**
 * The code the root README's example finds saved under "companies": the fixture directory's
 * list, from its first page (the request has no parameters, so the agent would write the URL in).
 */
const savedDirectoryCode = (siteBaseUrl: string) => `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto('${siteBaseUrl}/directory');
  const rows: Array<{ name: string; batch: string }> = [];
  for (let pageNumber = 1; pageNumber <= 50; pageNumber++) {
    rows.push(
      ...(await ctx.page.locator('li.company-card').evaluateAll((cards) =>
        cards.map((card) => ({
          name: card.querySelector('.company-name')?.textContent?.trim() ?? '',
          batch: (card.querySelector('.company-batch')?.textContent ?? '').replace('Batch', '').trim(),
        })),
      )),
    );
    const next = ctx.page.getByRole('link', { name: /^Next/ });
    if ((await next.count()) === 0) break;
    await next.first().click();
    await ctx.page.waitForLoadState('domcontentloaded');
  }
  return rows;
}
`;

/** The bundle the root README's example runs, as `BundleStore.save` takes it. */
export function savedDirectoryBundle(siteBaseUrl: string) {
  return {
    workspaceId: 'local',
    reuseKey: 'companies',
    source: savedDirectoryCode(siteBaseUrl),
    outputSchema: { type: 'array', minItems: 1, items: { type: 'object', required: ['name', 'batch'] } },
    origin: 'import' as const,
    task: 'Collect every company name and batch',
  };
}

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node <args>` in `cwd`, with no model key and no test runner's flags in its environment. */
export function runNodeIn(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<NodeRun> {
  const base: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['ANTHROPIC_API_KEY', 'NODE_OPTIONS', 'VITEST', 'VITEST_WORKER_ID']) delete base[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: base, stdio: ['ignore', 'pipe', 'pipe'] });
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
