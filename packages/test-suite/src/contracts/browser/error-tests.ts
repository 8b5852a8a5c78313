import { type AddressInfo, createServer } from 'node:net';
import type { JsonValue, PageCommand } from '@webtasks/core';
import { expect } from 'vitest';
import { expectWebTasksError } from '../stores/contract-options.js';
import { type BrowserTestRegistrar, step } from './harness.js';

/** Error codes: malformed commands, page failures, closed sessions. */
export function registerErrorTests(test: BrowserTestRegistrar): void {
  test('errors: a malformed command is invalid-request, and the session keeps working', async ({ open }) => {
    const d = await open();
    await d.goto('/testing/controls');
    const bad: unknown[] = [
      { target: 'page', op: 'exit', args: [] },
      { target: 'window', op: 'goto', args: ['about:blank'] },
      { target: 'page', op: 'goto', args: [42] },
      { target: 'page', op: 'goto', args: [] },
      { target: 'page', op: 'goto', args: ['about:blank', { timeout: 'soon' }] },
      { target: 'page', op: 'goto', args: ['about:blank', { headers: {} }] },
      { target: 'page', op: 'evaluate', args: ['() => 1'] },
      { target: 'page', op: 'waitForURL', args: [{ regex: '(', flags: '' }] },
      { target: 'page', op: 'title', args: 'nope' },
      { target: 'locator', op: 'click', locator: [], args: [] },
      { target: 'locator', op: 'click', locator: [{ kind: 'xpath', selector: '//a' }], args: [] },
      { target: 'locator', op: 'click', locator: [{ kind: 'nth', index: 1 }], args: [] },
      { target: 'locator', op: 'click', locator: 'button', args: [] },
      {
        target: 'locator',
        op: 'fill',
        locator: [{ kind: 'locator', selector: '#name' }],
        args: [{ value: 1 }],
      },
      {
        target: 'locator',
        op: 'selectOption',
        locator: [{ kind: 'locator', selector: '#color' }],
        args: [{ colour: 'r' }],
      },
      { target: 'locator', op: 'click', locator: [{ kind: 'filter', has: 'x' }], args: [] },
      null,
    ];
    for (const command of bad) {
      const error = await expectWebTasksError(
        d.session.execute({ command: command as PageCommand }),
        'invalid-request',
      );
      expect(error.message, JSON.stringify(command)).toMatch(/^\[webtasks:[\w-]+\] /);
    }
    expect(await d.page('title')).toBe('Controls playground');
  });

  test('errors: a locator timeout or a throwing page function is page-error with the browser message', async ({
    open,
  }) => {
    const d = await open();
    await d.goto('/testing/controls');
    const timeout = await expectWebTasksError(
      d.loc([step.css('#missing')], 'click', { timeout: 300 }),
      'page-error',
    );
    expect(timeout.message).toMatch(/Timeout 300ms exceeded/);
    expect(timeout.message).toContain('#missing');
    expect(timeout.message.length).toBeLessThan(800);
    const thrown = await expectWebTasksError(
      d.page('evaluate', { fn: '() => { throw new Error("boom in page") }' }),
      'page-error',
    );
    expect(thrown.message).toContain('boom in page');
    await expectWebTasksError(d.page('evaluate', { fn: 'process.exit(1)' }), 'page-error');
    const loose = await open({ egress: { allowHosts: ['127.0.0.1'] } });
    // A port nothing listens on (port 1 would be Chromium's own ERR_UNSAFE_PORT).
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const refused = await expectWebTasksError(
      loose.page('goto', `http://127.0.0.1:${closedPort}/`),
      'page-error',
    );
    expect(refused.message).toMatch(/ERR_CONNECTION_REFUSED|ERR_FAILED/);
    const odd: JsonValue = await d.page('evaluate', {
      fn: '() => { const a = {}; a.self = a; return [a, () => 1, NaN, 1n] }',
    });
    expect(odd).toEqual([{ self: null }, null, null, '1']);
  });

  test('errors: a closed session refuses commands', async ({ open }) => {
    const d = await open();
    await d.goto('/tables');
    await d.session.close();
    await expectWebTasksError(d.page('title'), 'invalid-request');
    expect(await d.session.close()).toEqual({});
  });
}
