import type { SandboxErrorKind, SandboxRunResult } from '@webtasks/core';
import { expect } from 'vitest';
import { createRecordingSandboxHost } from './recording-host.js';
import type { SandboxTestRegistrar } from './registrar.js';

/** A CommonJS-shaped module whose default export has `body` as its body. */
export const task = (body: string): string => `exports.default = async function run(ctx) {\n${body}\n};`;

/** Expect a failed result of `kind` (one of `kinds`) and return its error. */
export function expectFailure(
  result: SandboxRunResult,
  ...kinds: SandboxErrorKind[]
): { kind: SandboxErrorKind; message: string; stack?: string } {
  if (result.ok)
    expect.fail(
      `expected a failure (${kinds.join(' or ')}), got output ${JSON.stringify(result.output).slice(0, 200)}`,
    );
  expect(kinds, `error: ${result.error.kind}: ${result.error.message}`).toContain(result.error.kind);
  expect(result.error.message.length).toBeGreaterThan(0);
  return result.error;
}

/** Expect a successful result and return its output. */
export function expectOutput(result: SandboxRunResult): unknown {
  if (!result.ok) expect.fail(`expected output, got ${result.error.kind}: ${result.error.message}`);
  return result.output;
}

/** Output, params, the bridge, errors, logs and isolation between runs. */
export function registerBehaviourTests(test: SandboxTestRegistrar): void {
  test('returns the output of the default export', async (sandbox) => {
    const host = createRecordingSandboxHost();
    const result = await sandbox.run({
      code: task(`return { a: 1, list: [1, 'x', null, true], nested: { b: 2.5 } };`),
      params: {},
      host,
    });
    expect(expectOutput(result)).toEqual({ a: 1, list: [1, 'x', null, true], nested: { b: 2.5 } });
    expect(result.stats.hostCalls).toBe(0);
    expect(result.stats.wallMs).toBeGreaterThanOrEqual(0);
  });

  test('accepts module.exports and turns an undefined output into null', async (sandbox) => {
    const host = createRecordingSandboxHost();
    const viaModule = await sandbox.run({
      code: `module.exports = { default: async () => 'from module' };`,
      params: {},
      host,
    });
    expect(expectOutput(viaModule)).toBe('from module');
    const undefinedOutput = await sandbox.run({ code: task('return undefined;'), params: {}, host });
    expect(expectOutput(undefinedOutput)).toBeNull();
  });

  test('delivers params, deeply frozen', async (sandbox) => {
    const host = createRecordingSandboxHost();
    const code = task(`
      let threw = false;
      try { ctx.params.filters.tags.push('z'); } catch { threw = true; }
      return { params: ctx.params, frozen: Object.isFrozen(ctx.params) && Object.isFrozen(ctx.params.filters.tags), threw };`);
    const params = { city: 'Lyon', filters: { tags: ['a', 'b'], max: 3 } };
    const result = await sandbox.run({ code, params, host });
    expect(expectOutput(result)).toEqual({ params, frozen: true, threw: true });
  });

  test('sends page, files and ai calls to the host as HostCalls', async (sandbox) => {
    const host = createRecordingSandboxHost((request) => {
      if (request.kind === 'page' && request.command.op === 'textContent') return 'Hello';
      if (request.kind === 'files.download') return { fileId: 'f1', name: 'a.pdf' };
      if (request.kind === 'ai.classify') return 'news';
      return null;
    });
    const code = task(`
      await ctx.page.goto('https://example.test/list');
      const heading = await ctx.page.getByRole('heading', { name: /welcome/i }).locator('span').nth(1).textContent();
      await ctx.page.locator('tr').filter({ has: ctx.page.getByText('Paid') }).first().click({ button: 'left' });
      const value = await ctx.page.evaluate((n) => n * 2, 21);
      const file = await ctx.files.download('/a.pdf', { name: 'a.pdf' });
      const label = await ctx.ai.classify({ input: heading, labels: ['news', 'sport'] });
      return { heading, file, label, value };`);
    const result = await sandbox.run({ code, params: {}, host });
    expect(expectOutput(result)).toEqual({
      heading: 'Hello',
      file: { fileId: 'f1', name: 'a.pdf' },
      label: 'news',
      value: null,
    });
    expect(host.calls).toEqual([
      { kind: 'page', command: { target: 'page', op: 'goto', args: ['https://example.test/list'] } },
      {
        kind: 'page',
        command: {
          target: 'locator',
          op: 'textContent',
          locator: [
            { kind: 'getByRole', role: 'heading', name: { regex: 'welcome', flags: 'i' } },
            { kind: 'locator', selector: 'span' },
            { kind: 'nth', index: 1 },
          ],
          args: [],
        },
      },
      {
        kind: 'page',
        command: {
          target: 'locator',
          op: 'click',
          locator: [
            { kind: 'locator', selector: 'tr' },
            { kind: 'filter', has: [{ kind: 'getByText', text: 'Paid' }] },
            { kind: 'first' },
          ],
          args: [{ button: 'left' }],
        },
      },
      { kind: 'page', command: { target: 'page', op: 'evaluate', args: [{ fn: '(n) => n * 2' }, 21] } },
      { kind: 'files.download', trigger: { kind: 'url', url: '/a.pdf' }, name: 'a.pdf' },
      { kind: 'ai.classify', input: 'Hello', labels: ['news', 'sport'] },
    ]);
    expect(result.stats.hostCalls).toBe(6);
  });

  test('text of every kind crosses the bridge intact, both ways and in bulk', async (sandbox) => {
    // Quotes, backslashes, line breaks of every kind, a NUL, astral and combining characters,
    // repeated past a megabyte: what a page's HTML or a filled-in text may hold.
    const piece = 'a"b\\c\nd\r\ne\u2028f\u2029g\u0000h😀i\u0301j</script>\t';
    const big = piece.repeat(Math.ceil((1024 * 1024) / piece.length));
    const host = createRecordingSandboxHost((request) =>
      request.kind === 'page' && request.command.op === 'content' ? big : null,
    );
    const result = await sandbox.run({
      code: task(`
        const html = await ctx.page.content();
        await ctx.page.locator('textarea').fill(html + '!');
        return { length: html.length, same: html === ctx.params.piece.repeat(ctx.params.times), tail: html.slice(-40) };`),
      params: { piece, times: big.length / piece.length },
      host,
    });
    expect(expectOutput(result)).toEqual({ length: big.length, same: true, tail: big.slice(-40) });
    const fill = host.calls[1];
    expect(fill?.kind === 'page' && fill.command.args[0] === `${big}!`).toBe(true);
  });

  test('calls in flight at once get their own replies, whatever order the host answers in', async (sandbox) => {
    // Each call is answered after a delay that shrinks with its position, so replies come back
    // in the reverse of the order the calls were made; one of them fails.
    const host = createRecordingSandboxHost(async (request) => {
      const command = request.kind === 'page' ? request.command : undefined;
      const n = Number(command?.args[0]);
      await new Promise((resolve) => setTimeout(resolve, (6 - n) * 15));
      if (n === 3) throw new Error(`call ${n} failed`);
      return `reply ${n}`;
    });
    const code = task(`
      const calls = [1, 2, 3, 4, 5].map((n) =>
        ctx.page.waitForTimeout(n).then((value) => value, (error) => 'error: ' + error.message));
      return Promise.all(calls);`);
    const result = await sandbox.run({ code, params: {}, host });
    expect(expectOutput(result)).toEqual([
      'reply 1',
      'reply 2',
      'error: call 3 failed',
      'reply 4',
      'reply 5',
    ]);
    expect(result.stats.hostCalls).toBe(5);
  });

  test('host errors surface as catchable errors inside the code', async (sandbox) => {
    const host = createRecordingSandboxHost(() => {
      throw new Error('[webtasks:browser] policy-denied: http://169.254.169.254/ is not allowed');
    });
    const code = task(`
      try { await ctx.page.goto('http://169.254.169.254/'); return 'reached'; }
      catch (error) { return { isError: error instanceof Error, message: error.message }; }`);
    const result = await sandbox.run({ code, params: {}, host });
    expect(expectOutput(result)).toEqual({
      isError: true,
      message: '[webtasks:browser] policy-denied: http://169.254.169.254/ is not allowed',
    });
  });

  test('an uncaught error ends as threw with its message', async (sandbox) => {
    const host = createRecordingSandboxHost(() => {
      throw new Error('locator timed out: #missing');
    });
    const thrown = await sandbox.run({
      code: task(`const n = 41;\nthrow new TypeError('boom ' + (n + 1));`),
      params: {},
      host,
    });
    const error = expectFailure(thrown, 'threw');
    expect(error.message).toContain('boom 42');
    const fromHost = await sandbox.run({
      code: task(`await ctx.page.locator('#missing').click();`),
      params: {},
      host,
    });
    expect(expectFailure(fromHost, 'threw').message).toContain('locator timed out: #missing');
  });

  test('code without a default export, or that does not compile, ends as invalid-code', async (sandbox) => {
    const host = createRecordingSandboxHost();
    const noExport = await sandbox.run({ code: 'exports.other = async () => 1;', params: {}, host });
    expectFailure(noExport, 'invalid-code');
    const notFunction = await sandbox.run({ code: 'exports.default = 42;', params: {}, host });
    expectFailure(notFunction, 'invalid-code');
    const syntax = await sandbox.run({ code: 'exports.default = async () => {', params: {}, host });
    expectFailure(syntax, 'invalid-code');
  });

  test('an output that is not JSON ends as invalid-output', async (sandbox) => {
    const host = createRecordingSandboxHost();
    for (const body of ['return () => 1;', 'const a = {}; a.self = a; return a;', 'return { big: 10n };']) {
      expectFailure(await sandbox.run({ code: task(body), params: {}, host }), 'invalid-output');
    }
  });

  test('logs are returned in order and streamed to onLog', async (sandbox) => {
    const host = createRecordingSandboxHost();
    const code = task(`
      ctx.log.info('first', { n: 1 });
      await ctx.page.title();
      ctx.log.warn('second');
      console.log('third');
      ctx.log.error('fourth', 4);
      return 'done';`);
    const result = await sandbox.run({ code, params: {}, host });
    expect(expectOutput(result)).toBe('done');
    const lines = result.logs.map((entry) => [entry.level, entry.message]);
    expect(lines).toEqual([
      ['info', 'first {"n":1}'],
      ['warn', 'second'],
      ['info', 'third'],
      ['error', 'fourth 4'],
    ]);
    expect(host.streamedLogs.map((entry) => entry.message)).toEqual([
      'first {"n":1}',
      'second',
      'third',
      'fourth 4',
    ]);
    const times = result.logs.map((entry) => entry.atMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  test('concurrent runs do not see each other’s globals', async (sandbox) => {
    let releaseFirst!: () => void;
    const firstWaits = new Promise<null>((resolve) => {
      releaseFirst = () => resolve(null);
    });
    const slowHost = createRecordingSandboxHost(() => firstWaits);
    const fastHost = createRecordingSandboxHost();
    const first = sandbox.run({
      code: task(
        `globalThis.secret = 'first'; Object.prototype.polluted = 1; await ctx.page.title(); return [globalThis.secret, typeof globalThis.other];`,
      ),
      params: {},
      host: slowHost,
    });
    const secondRun = sandbox.run({
      code: task(
        `const seen = [typeof globalThis.secret, typeof ({}).polluted]; globalThis.other = 'second'; return seen;`,
      ),
      params: {},
      host: fastHost,
    });
    // A sandbox that runs one task at a time only starts the second when the first ends.
    const fallback = setTimeout(releaseFirst, 3000);
    const second = await secondRun;
    releaseFirst();
    clearTimeout(fallback);
    expect(expectOutput(second)).toEqual(['undefined', 'undefined']);
    expect(expectOutput(await first)).toEqual(['first', 'undefined']);
  });

  test('the raw bridge is not reachable from the code', async (sandbox) => {
    const host = createRecordingSandboxHost();
    const code = task(
      `return [typeof __wt_call, typeof __wt_log, typeof globalThis.__wt_call, typeof require, typeof process];`,
    );
    const result = await sandbox.run({ code, params: {}, host });
    expect(expectOutput(result)).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
  });
}
