/**
 * What to tell the model when bundle code reads a global it cannot have. The rule (the
 * part after `webtasks/`) and a message naming what to use instead.
 */
export interface GlobalAdvice {
  rule: string;
  message: string;
}

const IN_PAGE =
  'Bundle code runs in a sandbox, not in the page. Read the page with locators (`await ctx.page.locator(selector).innerText()`) or run DOM code in the page: `await ctx.page.evaluate(() => …)`.';
const NETWORK =
  'The sandbox has no network of its own. Store files with `await ctx.files.download(url)`, open pages with `await ctx.page.goto(url)`, or call an API from the page: `await ctx.page.evaluate(async (url) => (await fetch(url)).json(), url)`.';
const TIMER =
  'The sandbox has no timers. Wait with `await ctx.page.waitForTimeout(ms)`, or better wait for the page state: `await locator.waitFor()`, `await ctx.page.waitForURL(url)`.';
const NODE =
  'Bundle code runs in a sandbox without Node.js: no modules, no `process`, no file system. Use what `ctx` provides (`ctx.page`, `ctx.params`, `ctx.files`, `ctx.ai`, `ctx.log`).';
const GLOBAL_OBJECT =
  'The sandbox has no global object to reach into. Use what `ctx` provides; run page code with `await ctx.page.evaluate(() => …)`.';
const EVAL = 'Code cannot be generated at run time: write it out in the bundle.';

const ADVICE: Record<string, GlobalAdvice> = {
  require: { rule: 'no-node-api', message: `\`require\` is not available. ${NODE}` },
  module: { rule: 'no-node-api', message: `\`module\` is not available. ${NODE}` },
  exports: {
    rule: 'no-node-api',
    message: `\`exports\` is not available: export only \`export default async function run(ctx: TaskContext) { … }\`.`,
  },
  process: {
    rule: 'no-node-api',
    message: `\`process\` is not available: read inputs from \`ctx.params\`. ${NODE}`,
  },
  Buffer: { rule: 'no-node-api', message: `\`Buffer\` is not available. ${NODE}` },
  __dirname: { rule: 'no-node-api', message: `\`__dirname\` is not available. ${NODE}` },
  __filename: { rule: 'no-node-api', message: `\`__filename\` is not available. ${NODE}` },
  eval: { rule: 'no-eval', message: `\`eval\` is not allowed. ${EVAL}` },
  Function: { rule: 'no-eval', message: `\`Function\` (and \`new Function\`) is not allowed. ${EVAL}` },
  globalThis: { rule: 'no-global-object', message: `\`globalThis\` is not allowed. ${GLOBAL_OBJECT}` },
  global: { rule: 'no-global-object', message: `\`global\` is not available. ${GLOBAL_OBJECT}` },
  self: { rule: 'no-global-object', message: `\`self\` is not available. ${GLOBAL_OBJECT}` },
  window: { rule: 'no-browser-api', message: `\`window\` is not available here. ${IN_PAGE}` },
  document: { rule: 'no-browser-api', message: `\`document\` is not available here. ${IN_PAGE}` },
  fetch: { rule: 'no-browser-api', message: `\`fetch\` is not available here. ${NETWORK}` },
  XMLHttpRequest: { rule: 'no-browser-api', message: `\`XMLHttpRequest\` is not available here. ${NETWORK}` },
  WebSocket: { rule: 'no-browser-api', message: `\`WebSocket\` is not available here. ${NETWORK}` },
  EventSource: { rule: 'no-browser-api', message: `\`EventSource\` is not available here. ${NETWORK}` },
  setTimeout: {
    rule: 'no-timers',
    message: `\`setTimeout\` is not available: use \`await ctx.page.waitForTimeout(ms)\`. ${TIMER}`,
  },
  setInterval: {
    rule: 'no-timers',
    message: `\`setInterval\` is not available: loop with \`await ctx.page.waitForTimeout(ms)\`. ${TIMER}`,
  },
  clearTimeout: { rule: 'no-timers', message: `\`clearTimeout\` is not available. ${TIMER}` },
  clearInterval: { rule: 'no-timers', message: `\`clearInterval\` is not available. ${TIMER}` },
  setImmediate: { rule: 'no-timers', message: `\`setImmediate\` is not available. ${TIMER}` },
  requestAnimationFrame: {
    rule: 'no-timers',
    message: `\`requestAnimationFrame\` is not available. ${TIMER}`,
  },
  console: {
    rule: 'no-browser-api',
    message: '`console` is not available: log with `ctx.log.info(…)` (also `debug`, `warn`, `error`).',
  },
  localStorage: {
    rule: 'no-browser-api',
    message:
      '`localStorage` is not available here: read it in the page with `await ctx.page.evaluate(() => localStorage.getItem(key))`.',
  },
  sessionStorage: {
    rule: 'no-browser-api',
    message:
      '`sessionStorage` is not available here: read it in the page with `await ctx.page.evaluate(() => sessionStorage.getItem(key))`.',
  },
  location: {
    rule: 'no-browser-api',
    message: '`location` is not available here: use `await ctx.page.url()` and `await ctx.page.goto(url)`.',
  },
  URL: {
    rule: 'no-browser-api',
    message:
      '`URL` is not available in the sandbox. Read absolute links in the page (`await link.evaluate((a) => a.href)`, `await locator.evaluateAll((els) => els.map((a) => a.href))`) or build the string yourself.',
  },
  URLSearchParams: {
    rule: 'no-browser-api',
    message:
      '`URLSearchParams` is not available in the sandbox: build the query string yourself with `encodeURIComponent`.',
  },
  // Names a model reaches for when it forgets that everything comes from `ctx`.
  page: {
    rule: 'use-context',
    message: '`page` is not a global: use `ctx.page` (or `const { page } = ctx;`).',
  },
  params: { rule: 'use-context', message: '`params` is not a global: use `ctx.params`.' },
  files: { rule: 'use-context', message: '`files` is not a global: use `ctx.files`.' },
  ai: { rule: 'use-context', message: '`ai` is not a global: use `ctx.ai`.' },
  log: { rule: 'use-context', message: '`log` is not a global: use `ctx.log`.' },
  browser: {
    rule: 'unsupported-api',
    message: '`browser` is not available: the browser is managed by webtasks; use `ctx.page`.',
  },
  context: {
    rule: 'unsupported-api',
    message: '`context` is not available: the browser context is managed by webtasks; use `ctx.page`.',
  },
  chromium: {
    rule: 'unsupported-api',
    message: '`chromium` is not available: the browser is managed by webtasks; use `ctx.page`.',
  },
  expect: {
    rule: 'unsupported-api',
    message:
      "`expect` (from @playwright/test) is not available: check with `await locator.count()`, `await locator.isVisible()` or `await locator.waitFor()` and `throw new Error('…')` when the page is not as expected.",
  },
  test: {
    rule: 'unsupported-api',
    message: '`test` (from @playwright/test) is not available: put the steps in `run(ctx)`.',
  },
};

/** Names that are always refused (they reach Node, the module wrapper or `eval`), in the page too. */
const EVERYWHERE = new Set([
  'require',
  'module',
  'exports',
  'process',
  'Buffer',
  '__dirname',
  '__filename',
  'eval',
  'Function',
]);

/** Advice for a global read outside page functions, when there is any. */
export function globalAdvice(name: string): GlobalAdvice | undefined {
  return Object.hasOwn(ADVICE, name) ? ADVICE[name] : undefined;
}

/** True for names refused inside page functions as well. */
export function isRefusedEverywhere(name: string): boolean {
  return EVERYWHERE.has(name);
}

/** Generic advice for a DOM global the table does not name. */
export function browserApiAdvice(name: string): GlobalAdvice {
  return {
    rule: 'no-browser-api',
    message: `\`${name}\` is a browser API that the sandbox does not have. Use it inside a function passed to \`ctx.page.evaluate(() => …)\`, which runs in the page.`,
  };
}
