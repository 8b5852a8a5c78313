import { WebTasksError } from '@webtasks/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlaywrightBrowserProvider } from './index.js';

const provider = createPlaywrightBrowserProvider({
  maxResultBytes: 1024 * 1024,
  maxPagesPerSession: 5,
  maxFramesPerPage: 50,
});
afterAll(() => provider.close());

const evaluate = (source: string) => ({
  command: { target: 'page' as const, op: 'evaluate' as const, args: [{ fn: source }] },
});

async function codeOf(promise: Promise<unknown>): Promise<[string, string]> {
  try {
    await promise;
  } catch (error) {
    if (WebTasksError.isInstance(error)) return [error.code, error.message];
    throw error;
  }
  throw new Error('expected a failure');
}

/** The error code of a command that may fail, or undefined when it succeeded. */
async function codeIfFailed(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (WebTasksError.isInstance(error)) return error.code;
    throw error;
  }
}

describe('session caps', () => {
  it('refuses an evaluate result over maxResultBytes in the page; smaller ones pass', async () => {
    const session = await provider.openSession();
    try {
      const [code, message] = await codeOf(session.execute(evaluate("() => 'x'.repeat(64 * 1024 * 1024)")));
      expect(code).toBe('budget-exhausted');
      expect(message).toMatch(/evaluate: the result holds more than 1048576 characters \(maxResultBytes/);
      const [arrayCode] = await codeOf(
        session.execute(evaluate("() => Array.from({ length: 300000 }, (_, i) => ({ i, s: 'abc' }))")),
      );
      expect(arrayCode).toBe('budget-exhausted');
      expect(await session.execute(evaluate("() => 'y'.repeat(1000).length"))).toBe(1000);
      expect(await session.execute(evaluate("() => ({ a: [1, 'two', null] })"))).toEqual({
        a: [1, 'two', null],
      });
    } finally {
      await session.close();
    }
  }, 60_000);

  it('closes popups over maxPagesPerSession and fails the next command with budget-exhausted', async () => {
    const session = await provider.openSession();
    try {
      // The opening command itself may already fail with the cap, if the popups are reported
      // before its result.
      const first = await codeIfFailed(
        session.execute(
          evaluate('() => { for (let i = 0; i < 40; i++) window.open("about:blank"); return 1; }'),
        ),
      );
      expect([undefined, 'budget-exhausted']).toContain(first);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // Popups still being created when the command ended are closed as they appear.
      await expect
        .poll(() => session.getPage().context().pages().length, { timeout: 10_000 })
        .toBeLessThanOrEqual(5);
      const [code, message] = await codeOf(session.execute(evaluate('() => 1')));
      expect(code).toBe('budget-exhausted');
      expect(message).toMatch(/opened more than 5 pages \(popups; maxPagesPerSession/);
    } finally {
      await session.close();
    }
  }, 60_000);

  it('ends a command at once when its page goes over a cap while it runs, not when the page is done', async () => {
    const session = await provider.openSession();
    try {
      const started = Date.now();
      const [code, message] = await codeOf(
        session.execute(
          evaluate(
            '() => { for (let i = 0; i < 40; i++) window.open("about:blank"); return new Promise((resolve) => setTimeout(resolve, 20000)); }',
          ),
        ),
      );
      expect(code).toBe('budget-exhausted');
      expect(message).toMatch(/opened more than 5 pages/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await session.close();
    }
  }, 60_000);

  it('closes a session whose page goes over maxFramesPerPage', async () => {
    const session = await provider.openSession();
    try {
      const flood = session.execute(
        evaluate(
          '() => { for (let i = 0; i < 2000; i++) document.body.appendChild(document.createElement("iframe")); return 1; }',
        ),
      );
      // The flood itself fails with the cap when the frames are reported before its result;
      // either way the next command does.
      const floodCode = await codeIfFailed(flood);
      expect([undefined, 'budget-exhausted']).toContain(floodCode);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const [code, message] = await codeOf(session.execute(evaluate('() => 1')));
      expect(code).toBe('budget-exhausted');
      expect(message).toMatch(/has more than 50 frames \(maxFramesPerPage/);
      expect(session.getPage().isClosed()).toBe(true);
    } finally {
      await session.close();
    }
  }, 60_000);
});
