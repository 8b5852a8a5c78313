import { type JsonValue, LOCATOR_OPS, PAGE_OPS, type PageCommand } from '@webtasks/core';
import type { Page, Response } from 'playwright-core';
import {
  type ArgLimits,
  expectArgCount,
  functionArg,
  numberArg,
  type OptionSpec,
  optionsArg,
  stringArg,
  textMatch,
} from './command-args.js';
import { invalidRequest } from './errors.js';
import { executeLocatorOp } from './locator-ops.js';
import { bounded, boundedPageFunctionSource } from './session-caps.js';
import { pageFunction, toJson } from './to-json.js';

/** What a command needs besides the page. */
export interface CommandContext {
  page: Page;
  limits: ArgLimits;
  /** Largest result of evaluate, $eval and $$eval, in characters, refused in the page. */
  maxResultChars: number;
  /** Throws `policy-denied` when the egress policy refuses `url`. */
  assertNavigable(url: string): Promise<void>;
  /**
   * Throws when a navigation ended on the egress proxy's own refusal (a redirect hop to a
   * denied address: `policy-denied`) or on a failure of the upstream proxy (`proxy-error`).
   */
  assertResponse(response: Response | null): void;
}

// Playwright's generic evaluate signatures are too deep for the compiler with a runtime-built function.
type LooseEvaluate = (...args: unknown[]) => Promise<unknown>;

const WAIT_UNTIL = { oneOf: ['load', 'domcontentloaded', 'networkidle', 'commit'] } as const;
const NAV: OptionSpec = { timeout: 'timeout', waitUntil: WAIT_UNTIL };
const STATES = { oneOf: ['attached', 'detached', 'visible', 'hidden'] } as const;
// Nested quantifiers (`(a+)+`) backtrack catastrophically; waitForURL matches in Node.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;

/**
 * Chromium commits its error page a moment after a navigation was aborted (e.g. a redirect
 * the egress policy refused); a navigation started in between is interrupted by it, and under
 * load the retry can be interrupted again (by the error page, or by the aborted navigation's
 * own late commit). Retry a few times with a short pause; other errors pass through.
 */
async function retryOnErrorPageRace<T>(navigate: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await navigate();
    } catch (error) {
      if (attempt >= 4 || !/interrupted by another navigation to "/.test(String((error as Error)?.message)))
        throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

function urlPattern(args: readonly JsonValue[]): string | RegExp {
  const pattern = textMatch('waitForURL', args[0], 'url');
  if (pattern instanceof RegExp && (pattern.source.length > 500 || NESTED_QUANTIFIER.test(pattern.source))) {
    throw invalidRequest(
      'waitForURL: the regular expression is too long or has nested quantifiers; simplify it',
    );
  }
  return pattern;
}

async function executePageOp(
  context: CommandContext,
  op: string,
  args: readonly JsonValue[],
): Promise<JsonValue> {
  const { page, limits } = context;
  const opts = (index: number, spec: OptionSpec) => optionsArg(op, args, index, spec, limits);
  switch (op) {
    case 'goto': {
      expectArgCount(op, args, 1, 2);
      const url = stringArg(op, args, 0, 'url');
      const options = opts(1, { ...NAV, referer: 'string' });
      await context.assertNavigable(url);
      context.assertResponse(await retryOnErrorPageRace(() => page.goto(url, options)));
      return null;
    }
    case 'url':
      expectArgCount(op, args, 0, 0);
      return page.url();
    case 'title':
      expectArgCount(op, args, 0, 0);
      return page.title();
    case 'content':
      expectArgCount(op, args, 0, 0);
      return page.content();
    case 'reload':
    case 'goBack':
    case 'goForward':
      expectArgCount(op, args, 0, 1);
      context.assertResponse(await retryOnErrorPageRace(() => page[op](opts(0, NAV))));
      return null;
    case 'waitForURL':
      expectArgCount(op, args, 1, 2);
      await page.waitForURL(urlPattern(args), opts(1, NAV));
      return null;
    case 'waitForLoadState': {
      expectArgCount(op, args, 0, 2);
      const state = args[0] ?? 'load';
      if (state !== 'load' && state !== 'domcontentloaded' && state !== 'networkidle') {
        throw invalidRequest('waitForLoadState: state must be "load", "domcontentloaded" or "networkidle"');
      }
      await page.waitForLoadState(state, opts(1, { timeout: 'timeout' }));
      return null;
    }
    case 'waitForSelector':
      expectArgCount(op, args, 1, 2);
      await page.waitForSelector(
        stringArg(op, args, 0, 'selector'),
        opts(1, { state: STATES, timeout: 'timeout' }),
      );
      return null;
    case 'waitForTimeout': {
      expectArgCount(op, args, 1, 1);
      const ms = numberArg(op, args, 0, 'ms');
      if (ms < 0 || ms > limits.maxTimeoutMs)
        throw invalidRequest(`waitForTimeout: ms must be between 0 and ${limits.maxTimeoutMs}`);
      await page.waitForTimeout(ms);
      return null;
    }
    case 'evaluate':
      expectArgCount(op, args, 1, 2);
      return toJson(
        await bounded(op, context.maxResultChars, () =>
          (page.evaluate.bind(page) as unknown as LooseEvaluate)(
            pageFunction(boundedPageFunctionSource(functionArg(op, args, 0), context.maxResultChars)),
            args[1] ?? null,
          ),
        ),
      );
    case '$eval':
    case '$$eval': {
      expectArgCount(op, args, 2, 3);
      const selector = stringArg(op, args, 0, 'selector');
      const fn = pageFunction(boundedPageFunctionSource(functionArg(op, args, 1), context.maxResultChars));
      const arg = args[2] ?? null;
      const evaluate = (op === '$eval'
        ? page.$eval.bind(page)
        : page.$$eval.bind(page)) as unknown as LooseEvaluate;
      return toJson(await bounded(op, context.maxResultChars, () => evaluate(selector, fn, arg)));
    }
    case 'keyboard.press':
      expectArgCount(op, args, 1, 2);
      await page.keyboard.press(stringArg(op, args, 0, 'key'), opts(1, { delay: 'number' }));
      return null;
    case 'keyboard.type':
      expectArgCount(op, args, 1, 2);
      await page.keyboard.type(stringArg(op, args, 0, 'text'), opts(1, { delay: 'number' }));
      return null;
    case 'mouse.wheel':
      expectArgCount(op, args, 2, 2);
      await page.mouse.wheel(numberArg(op, args, 0, 'deltaX'), numberArg(op, args, 1, 'deltaY'));
      return null;
    default:
      throw invalidRequest(`unknown page operation "${op.slice(0, 40)}" (supported: ${PAGE_OPS.join(', ')})`);
  }
}

/** Validate and run one bridged command with Playwright's own semantics. */
export async function executeCommand(context: CommandContext, command: PageCommand): Promise<JsonValue> {
  if (typeof command !== 'object' || command === null) throw invalidRequest('the command must be an object');
  const { target, op } = command as { target?: unknown; op?: unknown };
  const args = (command as { args?: unknown }).args ?? [];
  if (typeof op !== 'string') throw invalidRequest('command.op must be a string');
  if (!Array.isArray(args)) throw invalidRequest(`${op}: command.args must be an array`);
  if (target === 'page') {
    if (!(PAGE_OPS as readonly string[]).includes(op)) {
      throw invalidRequest(`unknown page operation "${op.slice(0, 40)}" (supported: ${PAGE_OPS.join(', ')})`);
    }
    return executePageOp(context, op, args);
  }
  if (target === 'locator') {
    if (!(LOCATOR_OPS as readonly string[]).includes(op)) {
      throw invalidRequest(
        `unknown locator operation "${op.slice(0, 40)}" (supported: ${LOCATOR_OPS.join(', ')})`,
      );
    }
    return executeLocatorOp(context, op, (command as { locator?: unknown }).locator, args);
  }
  throw invalidRequest('command.target must be "page" or "locator"');
}
