import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RUNTIME_ERROR_NAMES, RUNTIME_PRELUDE } from './prelude.js';

interface Harness {
  /** Every HostCall the code made, parsed. */
  calls: any[];
  logs: Array<[string, string]>;
  /** Run `source` (an async function expression taking ctx) through `__wt_run`. */
  run(source: string, params?: object): Promise<unknown>;
  evaluate(source: string): unknown;
}

function createHarness(reply: (request: any) => unknown = () => null): Harness {
  const calls: any[] = [];
  const logs: Array<[string, string]> = [];
  const context = vm.createContext({
    __wt_call: async (requestJson: string) => {
      const request = JSON.parse(requestJson);
      calls.push(request);
      const result = await reply(request);
      return JSON.stringify(result ?? null);
    },
    __wt_log: (level: string, message: string) => {
      logs.push([level, message]);
    },
  });
  vm.runInContext(RUNTIME_PRELUDE, context, { filename: 'prelude.js' });
  const evaluate = (source: string) => vm.runInContext(source, context);
  return {
    calls,
    logs,
    evaluate,
    async run(source, params = {}) {
      const fn = evaluate(`(${source})`);
      const json = await (evaluate('__wt_run') as (f: unknown, p: string) => Promise<string>)(
        fn,
        JSON.stringify(params),
      );
      return JSON.parse(json);
    },
  };
}

const locatorCall = (locator: object[], op: string, args: unknown[] = []) => ({
  kind: 'page',
  command: { target: 'locator', op, locator, args },
});
const pageCall = (op: string, args: unknown[] = []) => ({
  kind: 'page',
  command: { target: 'page', op, args },
});

describe('RUNTIME_PRELUDE', () => {
  it('is one strict function applied to globalThis, with nothing from the module around it', () => {
    // Built with Function.prototype.toString: a reference to a module binding would be undefined
    // in the sandbox (the harness below runs the text in a fresh context), and a sloppy-mode body
    // would silently ignore writes the prelude relies on failing loudly.
    expect(RUNTIME_PRELUDE).toMatch(
      /^\(function webtasksPrelude\(global, names\) \{\s*(\/\/[^\n]*\s*)*['"]use strict['"];/,
    );
    expect(RUNTIME_PRELUDE).toContain(`})(globalThis, ${JSON.stringify(RUNTIME_ERROR_NAMES)});`);
    expect(RUNTIME_PRELUDE).not.toMatch(/__vite_ssr|__vi_import|import\.meta|\brequire\(/);
  });

  it('gives placeholders for ctx.secrets and asks the host for TOTP codes', async () => {
    const h = createHarness((request) => (request.kind === 'secrets.totp' ? '123456' : null));
    const output = await h.run(`async (ctx) => {
      await ctx.page.locator('#pw').fill(ctx.secrets.password);
      try { ctx.secrets.password = 'x'; } catch {}
      return { pw: ctx.secrets.password, code: await ctx.secrets.totp('otp'), keys: Object.keys(ctx.secrets), bad: ctx.secrets['no-such name'] ?? null };
    }`);
    expect(output).toEqual({ pw: '«secret:password»', code: '123456', keys: [], bad: null });
    expect(h.calls).toEqual([
      locatorCall([{ kind: 'locator', selector: '#pw' }], 'fill', ['«secret:password»']),
      { kind: 'secrets.totp', name: 'otp' },
    ]);
  });

  it('removes the raw bridge and risky globals, and defines __wt_run and console', () => {
    const h = createHarness();
    expect(h.evaluate('typeof __wt_call + typeof __wt_log')).toBe('undefinedundefined');
    expect(h.evaluate('typeof WebAssembly + typeof SharedArrayBuffer + typeof Atomics')).toBe(
      'undefinedundefinedundefined',
    );
    expect(h.evaluate('typeof __wt_run + typeof console.log')).toBe('functionfunction');
  });

  it('refuses to start without the bridge', () => {
    expect(() => vm.runInContext(RUNTIME_PRELUDE, vm.createContext({}))).toThrow(/__wt_call/);
  });

  it('sends every page method as a page HostCall', async () => {
    const h = createHarness();
    await h.run(`async ({ page }) => {
      await page.goto('https://example.test/', { waitUntil: 'load' });
      await page.reload(); await page.goBack(); await page.goForward();
      await page.url(); await page.title(); await page.content();
      await page.waitForURL(/\\/done$/i, { timeout: 5 });
      await page.waitForLoadState('networkidle');
      await page.waitForSelector('.x', { state: 'visible' });
      await page.waitForTimeout(25);
      await page.evaluate((a) => a + 1, 41);
      await page.$eval('h1', (el) => el.textContent);
      await page.$$eval('li', (els, n) => els.length + n, 2);
      await page.keyboard.press('Enter', { delay: 3 });
      await page.keyboard.type('hello');
      await page.mouse.wheel(0, 400);
    }`);
    expect(h.calls).toEqual([
      pageCall('goto', ['https://example.test/', { waitUntil: 'load' }]),
      pageCall('reload'),
      pageCall('goBack'),
      pageCall('goForward'),
      pageCall('url'),
      pageCall('title'),
      pageCall('content'),
      pageCall('waitForURL', [{ regex: '\\/done$', flags: 'i' }, { timeout: 5 }]),
      pageCall('waitForLoadState', ['networkidle']),
      pageCall('waitForSelector', ['.x', { state: 'visible' }]),
      pageCall('waitForTimeout', [25]),
      pageCall('evaluate', [{ fn: '(a) => a + 1' }, 41]),
      pageCall('$eval', ['h1', { fn: '(el) => el.textContent' }]),
      pageCall('$$eval', ['li', { fn: '(els, n) => els.length + n' }, 2]),
      pageCall('keyboard.press', ['Enter', { delay: 3 }]),
      pageCall('keyboard.type', ['hello']),
      pageCall('mouse.wheel', [0, 400]),
    ]);
  });

  it('builds immutable locator chains with every finder', async () => {
    const h = createHarness();
    await h.run(`async ({ page }) => {
      const list = page.getByRole('list', { name: /items/, level: 2 });
      const item = list.locator('li', { hasText: 'a', hasNotText: /b/g });
      await item.click();
      await list.click();
      await page.getByText('Hi', { exact: true }).getByLabel('L').getByPlaceholder(/p/)
        .getByAltText('alt').getByTitle('t').getByTestId(/id-\\d/).nth(2).first().last().click();
      await page.locator('tr').filter({ hasText: 'x', has: page.locator('td.ok'), hasNot: page.getByText('no'), visible: true }).click();
    }`);
    const list = { kind: 'getByRole', role: 'list', name: { regex: 'items', flags: '' }, level: 2 };
    expect(h.calls).toEqual([
      locatorCall(
        [list, { kind: 'locator', selector: 'li', hasText: 'a', hasNotText: { regex: 'b', flags: 'g' } }],
        'click',
      ),
      locatorCall([list], 'click'),
      locatorCall(
        [
          { kind: 'getByText', text: 'Hi', exact: true },
          { kind: 'getByLabel', text: 'L' },
          { kind: 'getByPlaceholder', text: { regex: 'p', flags: '' } },
          { kind: 'getByAltText', text: 'alt' },
          { kind: 'getByTitle', text: 't' },
          { kind: 'getByTestId', testId: { regex: 'id-\\d', flags: '' } },
          { kind: 'nth', index: 2 },
          { kind: 'first' },
          { kind: 'last' },
        ],
        'click',
      ),
      locatorCall(
        [
          { kind: 'locator', selector: 'tr' },
          {
            kind: 'filter',
            hasText: 'x',
            has: [{ kind: 'locator', selector: 'td.ok' }],
            hasNot: [{ kind: 'getByText', text: 'no' }],
            visible: true,
          },
        ],
        'click',
      ),
    ]);
  });

  it('sends every locator method with its arguments', async () => {
    const h = createHarness((request) => (request.command?.op === 'count' ? 2 : null));
    const ops: Array<[string, string, unknown[]]> = [
      ['click', '{ button: "right" }', [{ button: 'right' }]],
      ['dblclick', '', []],
      ['fill', '"v"', ['v']],
      ['clear', '', []],
      ['type', '"t", { delay: 1 }', ['t', { delay: 1 }]],
      ['pressSequentially', '"ps"', ['ps']],
      ['press', '"Tab"', ['Tab']],
      ['check', '', []],
      ['uncheck', '', []],
      ['setChecked', 'false', [false]],
      ['selectOption', '[{ label: "B" }, "c"]', [[{ label: 'B' }, 'c']]],
      ['hover', '', []],
      ['focus', '', []],
      ['scrollIntoViewIfNeeded', '', []],
      ['waitFor', '{ state: "hidden" }', [{ state: 'hidden' }]],
      ['textContent', '', []],
      ['innerText', '', []],
      ['innerHTML', '', []],
      ['getAttribute', '"href"', ['href']],
      ['inputValue', '', []],
      ['isVisible', '', []],
      ['isHidden', '', []],
      ['isChecked', '', []],
      ['isEnabled', '', []],
      ['isDisabled', '', []],
      ['count', '', []],
      ['allTextContents', '', []],
      ['allInnerTexts', '', []],
      ['evaluate', '(el, a) => el.id + a, "!"', [{ fn: '(el, a) => el.id + a' }, '!']],
      ['evaluateAll', '(els) => els.length', [{ fn: '(els) => els.length' }]],
    ];
    const body = ops.map(([op, args]) => `await el.${op}(${args});`).join('\n');
    await h.run(`async ({ page }) => { const el = page.locator('#a'); ${body} }`);
    const chain = [{ kind: 'locator', selector: '#a' }];
    expect(h.calls).toEqual(ops.map(([op, , args]) => locatorCall(chain, op, args)));
  });

  it('all() counts, then returns nth locators', async () => {
    const h = createHarness((request) =>
      request.command?.op === 'count' ? 3 : `text-${request.command.locator[1].index}`,
    );
    const output = await h.run(`async ({ page }) => {
      const rows = await page.locator('li').all();
      return Promise.all(rows.map((row) => row.textContent()));
    }`);
    expect(output).toEqual(['text-0', 'text-1', 'text-2']);
    expect(h.calls[0]).toEqual(locatorCall([{ kind: 'locator', selector: 'li' }], 'count'));
    expect(h.calls[3]).toEqual(
      locatorCall(
        [
          { kind: 'locator', selector: 'li' },
          { kind: 'nth', index: 2 },
        ],
        'textContent',
      ),
    );
  });

  it('bridges files and ai helpers', async () => {
    const h = createHarness((request) => (request.kind === 'ai.classify' ? 'spam' : { fileId: 'f1' }));
    const output = await h.run(`async ({ page, files, ai }) => {
      await files.download('/report.pdf', { name: 'r.pdf', timeout: 10 });
      await files.downloadFromClick(page.getByRole('link', { name: 'CSV' }), { name: 'data.csv' });
      await files.download('https://example.test/x');
      await ai.extract({ input: '<p>x</p>', schema: { type: 'object' }, instructions: 'be brief' });
      return ai.classify({ input: 'buy now', labels: ['spam', 'ham'] });
    }`);
    expect(output).toBe('spam');
    expect(h.calls).toEqual([
      { kind: 'files.download', trigger: { kind: 'url', url: '/report.pdf' }, name: 'r.pdf' },
      {
        kind: 'files.download',
        trigger: { kind: 'click', locator: [{ kind: 'getByRole', role: 'link', name: 'CSV' }] },
        name: 'data.csv',
      },
      { kind: 'files.download', trigger: { kind: 'url', url: 'https://example.test/x' } },
      { kind: 'ai.extract', input: '<p>x</p>', schema: { type: 'object' }, instructions: 'be brief' },
      { kind: 'ai.classify', input: 'buy now', labels: ['spam', 'ham'] },
    ]);
  });

  it('rejects locators it did not make', async () => {
    const h = createHarness();
    await expect(h.run(`async ({ files }) => files.downloadFromClick({ steps: [] })`)).rejects.toThrow(
      /Locator/,
    );
    await expect(h.run(`async ({ page }) => new (page.locator('a').constructor)(null, [])`)).rejects.toThrow(
      /Locators come from/,
    );
    expect(h.calls).toEqual([]);
  });

  it('turns host rejections into catchable errors', async () => {
    const h = createHarness(() => {
      throw new Error('policy-denied: file:///etc/passwd');
    });
    const output = await h.run(`async ({ page }) => {
      try { await page.goto('file:///etc/passwd'); return 'no error'; }
      catch (error) { return [error instanceof Error, error.message]; }
    }`);
    expect(output).toEqual([true, 'policy-denied: file:///etc/passwd']);
  });

  it('formats log values and maps console to log', async () => {
    const h = createHarness();
    await h.run(`async ({ log }) => {
      log.debug('d', 1); log.info('obj', { a: [1, 2] }); log.warn(undefined, null);
      const cyclic = {}; cyclic.self = cyclic; log.error('cycle', cyclic);
      console.log('via console'); console.error(new TypeError('bad'));
      log.info('x'.repeat(10000));
    }`);
    expect(h.logs.slice(0, 5)).toEqual([
      ['debug', 'd 1'],
      ['info', 'obj {"a":[1,2]}'],
      ['warn', 'undefined null'],
      ['error', 'cycle [unserialisable object]'],
      ['info', 'via console'],
    ]);
    expect(h.logs[5]?.[0]).toBe('error');
    expect(h.logs[5]?.[1]).toMatch(/^TypeError: bad/);
    expect(h.logs[6]?.[1].length).toBeLessThan(4100);
    expect(h.logs[6]?.[1]).toMatch(/truncated\]$/);
  });

  it('stops sending log lines once the sandbox refuses more', async () => {
    let kept = 0;
    const context = vm.createContext({
      __wt_call: async () => 'null',
      __wt_log: () => {
        kept += 1;
        return kept < 3;
      },
    });
    vm.runInContext(RUNTIME_PRELUDE, context);
    const run = vm.runInContext('__wt_run', context) as (f: unknown, p: string) => Promise<string>;
    const fn = vm.runInContext(
      `(async ({ log }) => { for (let i = 0; i < 100; i++) log.info('line', i); return 'ok'; })`,
      context,
    );
    expect(await run(fn, '{}')).toBe('"ok"');
    expect(kept).toBe(3);
  });

  it('gives the code deep-frozen params and a null for undefined output', async () => {
    const h = createHarness();
    const output = await h.run(
      `async ({ params }) => {
        let threw = false;
        try { params.list.push(3); } catch { threw = true; }
        return { frozen: Object.isFrozen(params) && Object.isFrozen(params.list), threw, list: params.list };
      }`,
      { list: [1, 2] },
    );
    expect(output).toEqual({ frozen: true, threw: true, list: [1, 2] });
    expect(await h.run('async () => undefined')).toBeNull();
  });

  it('names invalid code and invalid output errors', async () => {
    const h = createHarness();
    const run = h.evaluate('__wt_run') as (f: unknown, p: string) => Promise<string>;
    await expect(run(42, '{}')).rejects.toMatchObject({ name: RUNTIME_ERROR_NAMES.invalidCode });
    for (const bad of [
      '() => () => 1',
      '() => { const a = {}; a.a = a; return a; }',
      '() => 10n',
      '() => ({ m: new Map() })',
    ]) {
      const fn = h.evaluate(`(${bad})`);
      await expect(run(fn, '{}')).rejects.toMatchObject({
        name: RUNTIME_ERROR_NAMES.invalidOutput,
        message: expect.stringMatching(/^\[webtasks:runtime\]/),
      });
    }
  });

  it('keeps working when the code poisons globals', async () => {
    const h = createHarness(() => ({ ok: true }));
    const output = await h.run(`async ({ page }) => {
      JSON.stringify = () => 'poisoned'; JSON.parse = () => 'poisoned';
      Function.prototype.toString = () => 'poisoned';
      WeakMap.prototype.get = () => [{ kind: 'forged' }];
      const result = await page.locator('a').evaluate((el) => el.id);
      return { result, s: 1 };
    }`);
    expect(output).toEqual({ result: { ok: true }, s: 1 });
    expect(h.calls[0].command).toEqual({
      target: 'locator',
      op: 'evaluate',
      locator: [{ kind: 'locator', selector: 'a' }],
      args: [{ fn: '(el) => el.id' }],
    });
  });

  it('implements setTimeout through waitForTimeout', async () => {
    const h = createHarness();
    const output = await h.run(`async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const id = setTimeout(() => { throw new Error('should not run'); }, 1);
      clearTimeout(id);
      return 'slept';
    }`);
    expect(output).toBe('slept');
    expect(h.calls).toEqual([pageCall('waitForTimeout', [5]), pageCall('waitForTimeout', [1])]);
  });
});
