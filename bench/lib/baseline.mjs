// The baseline: the same bundle source as a plain Playwright script (TypeScript stripped),
// on playwright-core with Debian's Chromium and the engine's launch arguments, in a fresh
// browser context per run — what a hand-written script that isolates its runs would do.
import { load, loadPlaywright, loadTypeScript } from './packages.mjs';

const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

/** Turn bundle source into an ES module exporting the same `run(ctx)`, and import it. */
export async function scriptFromBundle(source) {
  const ts = loadTypeScript();
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const module = await import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
  return module.default;
}

/** Launch Chromium the way the engine's browser adapter does. */
export async function createBaseline() {
  const [{ chromium }, { DEFAULT_LAUNCH_ARGS }] = await Promise.all([
    loadPlaywright(),
    load('@webtasks/browser-playwright'),
  ]);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...DEFAULT_LAUNCH_ARGS],
    headless: true,
  });
  return {
    browser,
    /** Run a script in a fresh context with one page, as the engine does per task. */
    async run(script, params) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const page = await context.newPage();
        return await script({ page, params, log: silentLog });
      } finally {
        await context.close();
      }
    },
    /** A fresh context and page for work that drives Playwright directly. */
    async withPage(work) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        return await work(await context.newPage());
      } finally {
        await context.close();
      }
    },
    close: () => browser.close(),
  };
}
