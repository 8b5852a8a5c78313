/**
 * Playwright members the webtasks subset lacks, and what to write instead. Keys are
 * `<Interface>.<member>` for the interfaces of `webtasks:runtime`.
 */

/** Page methods that Playwright also has on Locator: `page.x(selector, …)` → `page.locator(selector).x(…)`. */
const SELECTOR_SHORTCUTS = [
  'click',
  'dblclick',
  'tap',
  'fill',
  'type',
  'press',
  'check',
  'uncheck',
  'setChecked',
  'hover',
  'focus',
  'selectOption',
  'textContent',
  'innerText',
  'innerHTML',
  'getAttribute',
  'inputValue',
  'isVisible',
  'isHidden',
  'isChecked',
  'isEnabled',
  'isDisabled',
  'isEditable',
  'dispatchEvent',
  'dragAndDrop',
];

const NO_EVENTS =
  'events and network interception are not available: wait for the page state instead with `await page.waitForURL(url)`, `await page.waitForLoadState()` or `await locator.waitFor()`';
const NO_FRAMES =
  "frames are not bridged: read the frame's address with `await page.locator('iframe').getAttribute('src')` and open it with `await page.goto(src)`";
const NO_HANDLES =
  'element handles are not bridged: keep using the locator (`locator.click()`, `locator.innerText()`), or run DOM code with `await locator.evaluate((element) => …)`';
const MANAGED = 'the browser and its context are managed by webtasks: use `ctx.page`';
const NO_UPLOADS = 'file uploads are not supported by the webtasks runtime';
const NO_SCREENSHOTS = 'screenshots are not available to bundle code: return the data you need in the output';

const ALTERNATIVES: Record<string, string> = {
  'Page.waitForNavigation':
    'use `await page.waitForURL(url)` (or `await page.waitForLoadState()`) after the action that navigates',
  'Page.waitForEvent': NO_EVENTS,
  'Page.waitForResponse': NO_EVENTS,
  'Page.waitForRequest': NO_EVENTS,
  'Page.waitForFunction':
    'wait on an element with `await page.locator(selector).waitFor()`, or poll `await page.evaluate(() => …)` with `await page.waitForTimeout(ms)` between tries',
  'Page.route': NO_EVENTS,
  'Page.unroute': NO_EVENTS,
  'Page.on': NO_EVENTS,
  'Page.once': NO_EVENTS,
  'Page.off': NO_EVENTS,
  'Page.addListener': NO_EVENTS,
  'Page.removeListener': NO_EVENTS,
  'Page.$': 'use `page.locator(selector)` (add `.first()` for the first match)',
  'Page.$$': 'use `await page.locator(selector).all()`',
  'Page.evaluateHandle': 'use `await page.evaluate(() => …)` and return JSON',
  'Page.context': MANAGED,
  'Page.browser': MANAGED,
  'Page.close': 'the page is closed by webtasks when `run` returns: just return',
  'Page.screenshot': NO_SCREENSHOTS,
  'Page.pdf': NO_SCREENSHOTS,
  'Page.setInputFiles': NO_UPLOADS,
  'Page.frames': NO_FRAMES,
  'Page.frame': NO_FRAMES,
  'Page.mainFrame': 'use `page` itself',
  'Page.frameLocator': NO_FRAMES,
  'Page.request':
    'call an API from the page with `await page.evaluate(async (url) => (await fetch(url)).json(), url)`, or store a file with `await ctx.files.download(url)`',
  'Page.setViewportSize': 'the viewport is set by webtasks',
  'Page.setExtraHTTPHeaders': 'headers are set by webtasks',
  'Page.addInitScript': 'run page code with `await page.evaluate(() => …)` after `page.goto`',
  'Page.exposeFunction': 'pass values through the argument of `page.evaluate(fn, arg)` and return JSON',
  'Page.setDefaultTimeout': 'pass `{ timeout }` to each call',
  'Page.setDefaultNavigationTimeout': 'pass `{ timeout }` to `page.goto`',
  'Page.waitForRequestFinished': NO_EVENTS,
  'Page.getByRef':
    'refs from the snapshot change between runs: use `getByRole`, `getByText` or a CSS locator',
  'Locator.elementHandle': NO_HANDLES,
  'Locator.elementHandles': NO_HANDLES,
  'Locator.evaluateHandle': 'use `await locator.evaluate((element) => …)` and return JSON',
  'Locator.setInputFiles': NO_UPLOADS,
  'Locator.screenshot': NO_SCREENSHOTS,
  'Locator.boundingBox':
    'use `await locator.evaluate((element) => { const r = element.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; })`',
  'Locator.tap': 'use `await locator.click()`',
  'Locator.dispatchEvent':
    "use `await locator.evaluate((element) => element.dispatchEvent(new Event('change', { bubbles: true })))`",
  'Locator.blur': 'use `await locator.evaluate((element) => element.blur())`',
  'Locator.selectText': 'use `await locator.evaluate((element) => element.select())`',
  'Locator.isEditable': 'use `await locator.isEnabled()` or read `readOnly` with `locator.evaluate`',
  'Locator.and': 'combine conditions with `locator.filter({ has, hasText })` or one CSS selector',
  'Locator.or': 'use one CSS selector list (`page.locator("a, button")`)',
  'Locator.page': 'use `ctx.page`',
  'Locator.frameLocator': NO_FRAMES,
  'Locator.contentFrame': NO_FRAMES,
  'Locator.dragTo': 'drag and drop is not supported by the webtasks runtime',
  'Locator.waitForSelector': 'use `await locator.locator(selector).waitFor()`',
  'Locator.$': 'use `locator.locator(selector)`',
  'Locator.$$': 'use `await locator.locator(selector).all()`',
  'Locator.$eval': 'use `await locator.locator(selector).evaluate((element) => …)`',
  'Locator.$$eval': 'use `await locator.locator(selector).evaluateAll((elements) => …)`',
  'TaskContext.browser': MANAGED,
  'TaskContext.context': MANAGED,
  'TaskContext.request':
    'call an API from the page with `await ctx.page.evaluate(async (url) => (await fetch(url)).json(), url)`, or store a file with `await ctx.files.download(url)`',
  'TaskContext.console': 'log with `ctx.log.info(…)`',
  'TaskContext.logger': 'log with `ctx.log.info(…)`',
  'TaskContext.parameters': 'parameters are in `ctx.params`',
  'TaskContext.input': 'parameters are in `ctx.params`',
  'Files.upload': NO_UPLOADS,
  'Files.save':
    'store a download with `await ctx.files.download(url)` or `await ctx.files.downloadFromClick(locator)`',
  'Log.log': 'use `ctx.log.info(…)`',
};

for (const member of SELECTOR_SHORTCUTS) {
  ALTERNATIVES[`Page.${member}`] ??= `use \`page.locator(selector).${member}(…)\``;
}

/** Receiver names as written in messages: `page.x`, `locator.x`, `ctx.x`. */
const RECEIVER: Record<string, string> = {
  Page: 'page',
  Locator: 'locator',
  TaskContext: 'ctx',
  Files: 'ctx.files',
  Ai: 'ctx.ai',
  Log: 'ctx.log',
};

/** The interfaces of `webtasks:runtime` whose missing members get advice. */
export const ADVISED_INTERFACES = new Set(Object.keys(RECEIVER));

/** "`page.click(selector)` is not available: use `page.locator(selector).click(…)`", or undefined. */
export function playwrightAlternative(interfaceName: string, member: string): string | undefined {
  const key = `${interfaceName}.${member}`;
  if (!Object.hasOwn(ALTERNATIVES, key)) return undefined;
  const receiver = RECEIVER[interfaceName] ?? interfaceName;
  const shown =
    interfaceName === 'Page' && SELECTOR_SHORTCUTS.includes(member) ? `${member}(selector, …)` : member;
  return `\`${receiver}.${shown}\` is not available in webtasks: ${ALTERNATIVES[key]}.`;
}

/** The fallback when no alternative is known: point at the declaration. */
export function subsetHint(interfaceName: string): string {
  return `webtasks' \`${interfaceName}\` is a subset of Playwright's: see \`interface ${interfaceName}\` in 'webtasks:runtime' for what is available.`;
}
