import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DEFAULT_LAUNCH_ARGS } from '@webtasks/browser-playwright';
import { type Browser, chromium, type Locator } from 'playwright-core';
import ts from 'typescript';

/** A file a plain script downloaded, as the bundles in these tests describe it. */
export interface PlainDownload {
  name: string;
  sizeBytes: number;
  sha256: string;
}

/**
 * Bundle source run as a plain Playwright script: the TypeScript stripped, `ctx` built from a
 * real page of a fresh context (Debian's Chromium, the engine's launch arguments), and
 * `ctx.files.downloadFromClick` done the Playwright way (wait for the download event, click).
 */
export async function createPlainRunner() {
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...DEFAULT_LAUNCH_ARGS],
    headless: true,
  });
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  return {
    /** Run `source`; resolves with its output and the files it downloaded. */
    async run(source: string, params: Record<string, unknown> = {}) {
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      const module = await import(
        `data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`
      );
      const context = await browser.newContext({
        acceptDownloads: true,
        viewport: { width: 1280, height: 800 },
      });
      const downloads: PlainDownload[] = [];
      try {
        const page = await context.newPage();
        const files = {
          async downloadFromClick(locator: Locator, options: { timeout?: number } = {}) {
            const [download] = await Promise.all([
              page.waitForEvent('download', { timeout: options.timeout ?? 30_000 }),
              locator.click(),
            ]);
            const path = await download.path();
            const body = await readFile(path);
            const file = {
              name: download.suggestedFilename(),
              sizeBytes: body.byteLength,
              sha256: createHash('sha256').update(body).digest('hex'),
            };
            downloads.push(file);
            return {
              ...file,
              fileId: `plain-${downloads.length}`,
              contentType: '',
              sourceUrl: download.url(),
            };
          },
        };
        const output = await module.default({ page, params, log, files });
        return { output: JSON.parse(JSON.stringify(output)) as unknown, downloads };
      } finally {
        await context.close();
      }
    },
    close: () => browser.close(),
  };
}
