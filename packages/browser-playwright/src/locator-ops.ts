import type { JsonValue, LocatorStep } from '@webtasks/core';
import { expectArgCount, functionArg, type OptionSpec, optionsArg, stringArg } from './command-args.js';
import { invalidRequest } from './errors.js';
import type { CommandContext } from './execute-command.js';
import { buildLocator } from './locator-chain.js';
import { bounded, boundedPageFunctionSource } from './session-caps.js';
import { pageFunction, toJson } from './to-json.js';

const T: OptionSpec = { timeout: 'timeout' };
const FORCE: OptionSpec = { timeout: 'timeout', force: 'boolean' };
const CLICK: OptionSpec = {
  timeout: 'timeout',
  button: { oneOf: ['left', 'right', 'middle'] },
  clickCount: 'number',
  delay: 'number',
  force: 'boolean',
  modifiers: 'modifiers',
  position: 'position',
};
const TYPE: OptionSpec = { timeout: 'timeout', delay: 'number' };
const STATES = { oneOf: ['attached', 'detached', 'visible', 'hidden'] } as const;

// Playwright's generic evaluate signatures are too deep for the compiler with a runtime-built function.
type LooseEvaluate = (fn: unknown, arg: unknown, options?: unknown) => Promise<unknown>;

type SelectValue = string | { value?: string; label?: string; index?: number };

function selectValues(value: JsonValue | undefined): SelectValue | SelectValue[] {
  const one = (item: JsonValue): SelectValue => {
    if (typeof item === 'string') return item;
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const out: { value?: string; label?: string; index?: number } = {};
      for (const [key, v] of Object.entries(item)) {
        if ((key === 'value' || key === 'label') && typeof v === 'string') out[key] = v;
        else if (key === 'index' && typeof v === 'number' && Number.isInteger(v)) out.index = v;
        else
          throw invalidRequest(
            `selectOption: "${key}" must be value (string), label (string) or index (integer)`,
          );
      }
      return out;
    }
    throw invalidRequest('selectOption: each value must be a string or { value, label, index }');
  };
  if (Array.isArray(value)) return value.map(one);
  if (value === undefined || value === null)
    throw invalidRequest('selectOption needs the value(s) to select');
  return one(value);
}

/** Run one locator operation. */
export async function executeLocatorOp(
  context: CommandContext,
  op: string,
  chain: unknown,
  args: readonly JsonValue[],
): Promise<JsonValue> {
  const locator = buildLocator(context.page, chain as LocatorStep[]);
  const opts = (index: number, spec: OptionSpec) => optionsArg(op, args, index, spec, context.limits);
  const noArgs = (spec: OptionSpec) => {
    expectArgCount(op, args, 0, 1);
    return opts(0, spec);
  };
  switch (op) {
    case 'click':
    case 'dblclick':
      await locator[op](noArgs(CLICK));
      return null;
    case 'fill':
      expectArgCount(op, args, 1, 2);
      await locator.fill(stringArg(op, args, 0, 'value'), opts(1, T));
      return null;
    case 'clear':
      await locator.clear(noArgs(T));
      return null;
    case 'type':
    case 'pressSequentially':
      expectArgCount(op, args, 1, 2);
      await locator.pressSequentially(stringArg(op, args, 0, 'text'), opts(1, TYPE));
      return null;
    case 'press':
      expectArgCount(op, args, 1, 2);
      await locator.press(stringArg(op, args, 0, 'key'), opts(1, TYPE));
      return null;
    case 'check':
    case 'uncheck':
      await locator[op](noArgs(FORCE));
      return null;
    case 'setChecked': {
      expectArgCount(op, args, 1, 2);
      if (typeof args[0] !== 'boolean') throw invalidRequest('setChecked: checked must be a boolean');
      await locator.setChecked(args[0], opts(1, FORCE));
      return null;
    }
    case 'selectOption':
      expectArgCount(op, args, 1, 2);
      return locator.selectOption(selectValues(args[0]) as never, opts(1, T));
    case 'hover':
      await locator.hover(noArgs(FORCE));
      return null;
    case 'focus':
    case 'scrollIntoViewIfNeeded':
      await locator[op](noArgs(T));
      return null;
    case 'waitFor':
      await locator.waitFor(noArgs({ state: STATES, timeout: 'timeout' }));
      return null;
    case 'textContent':
    case 'innerText':
    case 'innerHTML':
    case 'inputValue':
    case 'isChecked':
    case 'isEnabled':
    case 'isDisabled':
      return locator[op](noArgs(T));
    case 'isVisible':
    case 'isHidden':
      return locator[op](noArgs(T));
    case 'getAttribute':
      expectArgCount(op, args, 1, 2);
      return locator.getAttribute(stringArg(op, args, 0, 'name'), opts(1, T));
    case 'count':
    case 'allTextContents':
    case 'allInnerTexts':
      expectArgCount(op, args, 0, 0);
      return locator[op]();
    case 'evaluate': {
      expectArgCount(op, args, 1, 3);
      const evaluate = locator.evaluate.bind(locator) as unknown as LooseEvaluate;
      const fn = pageFunction(boundedPageFunctionSource(functionArg(op, args, 0), context.maxResultChars));
      return toJson(
        await bounded(op, context.maxResultChars, () => evaluate(fn, args[1] ?? null, opts(2, T))),
      );
    }
    case 'evaluateAll': {
      expectArgCount(op, args, 1, 2);
      const evaluateAll = locator.evaluateAll.bind(locator) as unknown as LooseEvaluate;
      const fn = pageFunction(boundedPageFunctionSource(functionArg(op, args, 0), context.maxResultChars));
      return toJson(await bounded(op, context.maxResultChars, () => evaluateAll(fn, args[1] ?? null)));
    }
    default:
      throw invalidRequest(`unknown locator operation "${op.slice(0, 40)}"`);
  }
}
