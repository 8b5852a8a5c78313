import type { TextMatch } from '../ports/browser.js';

/**
 * Names of the errors the prelude's `__wt_run` throws for problems of the code rather than of
 * the task, so a sandbox can classify them (`invalid-code`, `invalid-output`) by `error.name`.
 */
export const RUNTIME_ERROR_NAMES = {
  invalidCode: 'WebtasksInvalidCodeError',
  invalidOutput: 'WebtasksInvalidOutputError',
} as const;

/** The globals the sandbox provides before the prelude runs (removed by it). */
interface SandboxBridge {
  __wt_call?: (requestJson: string) => Promise<unknown>;
  __wt_log?: (level: string, message: string) => unknown;
}
/** What generated code passes as an options bag: anything, checked at run time. */
type Options = Record<string, any> | undefined;
/** A locator chain step or filter as the prelude builds it (checked by the host). */
type Step = Record<string, unknown>;
type Steps = readonly Step[];

/**
 * The prelude itself. It runs in the sandbox, not here: `RUNTIME_PRELUDE` is its source text
 * (`Function.prototype.toString`), so it must stay self-contained. It may use the sandbox's
 * built-in globals and its two parameters, and `import type` only: a value imported or declared
 * outside this function would be undefined in the sandbox (the prelude test runs it in a fresh
 * `node:vm` context, which catches that).
 */
function webtasksPrelude(global: Record<string, unknown>, names: typeof RUNTIME_ERROR_NAMES): void {
  // biome-ignore lint/suspicious/noRedundantUseStrict: the text runs as a classic (sloppy) script
  'use strict';
  const rawCall = global.__wt_call as SandboxBridge['__wt_call'];
  const rawLog = global.__wt_log as SandboxBridge['__wt_log'];
  delete global.__wt_call;
  delete global.__wt_log;
  delete global.WebAssembly;
  delete global.SharedArrayBuffer;
  delete global.Atomics;
  if (
    typeof rawCall !== 'function' ||
    typeof rawLog !== 'function' ||
    '__wt_call' in global ||
    '__wt_log' in global
  ) {
    throw new Error('[webtasks:runtime] the sandbox must define __wt_call and __wt_log as deletable globals');
  }
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const { freeze, isFrozen, defineProperty, keys: objectKeys } = Object;
  const isArray = Array.isArray;
  const apply = Reflect.apply;
  const functionToString = Function.prototype.toString;
  const regexpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, 'source')!.get!;
  const regexpFlags = Object.getOwnPropertyDescriptor(RegExp.prototype, 'flags')!.get!;
  const NativeError = Error;
  const NativeTypeError = TypeError;
  const NativeRegExp = RegExp;
  const NativeMap = Map;
  const NativeSet = Set;
  const NativeProxy = Proxy;
  const MAX_LOG_CHARS = 4000;
  const INVALID_CODE = names.invalidCode;
  const INVALID_OUTPUT = names.invalidOutput;
  const LOCATOR_TOKEN = {};

  const isRegExp = (value: unknown): value is RegExp => value instanceof NativeRegExp;
  const textMatch = (value: unknown, what: string): TextMatch => {
    if (typeof value === 'string') return value;
    if (isRegExp(value))
      return { regex: apply(regexpSource, value, []), flags: apply(regexpFlags, value, []) };
    throw new NativeTypeError(`${what} must be a string or a RegExp, got ${typeof value}`);
  };
  const toJson = (value: unknown, what: string): any => {
    if (value === undefined) return null;
    let json: string | undefined;
    try {
      json = stringify(value, (_key, inner) => {
        if (isRegExp(inner))
          return { regex: apply(regexpSource, inner, []), flags: apply(regexpFlags, inner, []) };
        return inner;
      });
    } catch (error) {
      throw new NativeTypeError(`${what} must be JSON data: ${error && (error as Error).message}`);
    }
    return json === undefined ? null : parse(json);
  };
  const encodeFn = (fn: unknown, what: string) => {
    if (typeof fn === 'function') return { fn: apply(functionToString, fn, []) };
    if (typeof fn === 'string') return fn;
    throw new NativeTypeError(`${what} must be a function (it runs in the page), got ${typeof fn}`);
  };
  const trimArgs = (args: readonly unknown[]): unknown[] => {
    let end = args.length;
    while (end > 0 && args[end - 1] === undefined) end -= 1;
    const out: unknown[] = [];
    for (let i = 0; i < end; i += 1) out[i] = args[i];
    return out;
  };
  const requireString = (value: unknown, what: string): string => {
    if (typeof value !== 'string') throw new NativeTypeError(`${what} must be a string, got ${typeof value}`);
    return value;
  };

  async function hostCall(request: Step): Promise<any> {
    const requestJson = stringify(request);
    let resultJson: unknown;
    try {
      resultJson = await rawCall!(requestJson);
    } catch (error) {
      const message =
        typeof error === 'string'
          ? error
          : error && typeof (error as Error).message === 'string'
            ? (error as Error).message
            : String(error);
      throw new NativeError(message);
    }
    return typeof resultJson === 'string' ? parse(resultJson) : null;
  }
  const pageCall = (op: string, args: readonly unknown[]) =>
    hostCall({
      kind: 'page',
      command: { target: 'page', op, args: toJson(trimArgs(args), `${op} arguments`) },
    });
  const locatorCall = (steps: Steps, op: string, args: readonly unknown[]) =>
    hostCall({
      kind: 'page',
      command: { target: 'locator', op, locator: steps, args: toJson(trimArgs(args), `${op} arguments`) },
    });

  const stepsOf = new WeakMap<object, Steps>();
  const weakMapGet = WeakMap.prototype.get;
  const weakMapSet = WeakMap.prototype.set;
  const optionalText = (step: Step, options: Options, name: string) => {
    if (options && options[name] !== undefined) step[name] = textMatch(options[name], name);
  };
  const locatorStep = (selector: unknown, options: Options) => {
    const step: Step = { kind: 'locator', selector: requireString(selector, 'selector') };
    optionalText(step, options, 'hasText');
    optionalText(step, options, 'hasNotText');
    return step;
  };
  const ROLE_FLAGS = [
    'exact',
    'checked',
    'disabled',
    'expanded',
    'includeHidden',
    'level',
    'pressed',
    'selected',
  ];
  const roleStep = (role: unknown, options: Options) => {
    const step: Step = { kind: 'getByRole', role: requireString(role, 'role') };
    optionalText(step, options, 'name');
    for (const flag of ROLE_FLAGS) if (options && options[flag] !== undefined) step[flag] = options[flag];
    return step;
  };
  const textStep = (kind: string) => (text: unknown, options: Options) => {
    const step: Step = { kind, text: textMatch(text, `${kind} text`) };
    if (options && options.exact !== undefined) step.exact = Boolean(options.exact);
    return step;
  };
  const finders: Record<string, (a: unknown, b: Options) => Step> = {
    locator: locatorStep,
    getByRole: roleStep,
    getByText: textStep('getByText'),
    getByLabel: textStep('getByLabel'),
    getByPlaceholder: textStep('getByPlaceholder'),
    getByAltText: textStep('getByAltText'),
    getByTitle: textStep('getByTitle'),
    getByTestId: (testId: unknown) => ({ kind: 'getByTestId', testId: textMatch(testId, 'testId') }),
  };
  const chainOf = (value: unknown, what: string): Steps => {
    const steps =
      value !== null && typeof value === 'object' ? apply(weakMapGet, stepsOf, [value]) : undefined;
    if (!steps)
      throw new NativeTypeError(`${what} must be a Locator (from page.locator, page.getByRole, ...)`);
    return steps;
  };

  const own = (locator: unknown) => chainOf(locator, 'the receiver');

  class Locator {
    constructor(token: unknown, steps: Step[]) {
      if (token !== LOCATOR_TOKEN)
        throw new NativeTypeError('Locators come from page.locator(), page.getByRole(), ...');
      apply(weakMapSet, stepsOf, [this, freeze(steps)]);
      freeze(this);
    }
    nth(index: unknown) {
      if (typeof index !== 'number' || !Number.isInteger(index))
        throw new NativeTypeError('nth(index) needs an integer');
      return new Locator(LOCATOR_TOKEN, [...own(this), { kind: 'nth', index }]);
    }
    first() {
      return new Locator(LOCATOR_TOKEN, [...own(this), { kind: 'first' }]);
    }
    last() {
      return new Locator(LOCATOR_TOKEN, [...own(this), { kind: 'last' }]);
    }
    filter(options: Options) {
      const step: Step = { kind: 'filter' };
      optionalText(step, options, 'hasText');
      optionalText(step, options, 'hasNotText');
      if (options && options.has !== undefined) step.has = chainOf(options.has, 'filter({ has })');
      if (options && options.hasNot !== undefined)
        step.hasNot = chainOf(options.hasNot, 'filter({ hasNot })');
      if (options && options.visible !== undefined) step.visible = Boolean(options.visible);
      return new Locator(LOCATOR_TOKEN, [...own(this), step]);
    }
    async all() {
      const steps = own(this);
      const count = await locatorCall(steps, 'count', []);
      const out: Locator[] = [];
      for (let i = 0; i < count; i += 1)
        out.push(new Locator(LOCATOR_TOKEN, [...steps, { kind: 'nth', index: i }]));
      return out;
    }
    evaluate(fn: unknown, arg?: unknown) {
      return locatorCall(own(this), 'evaluate', [encodeFn(fn, 'evaluate(fn)'), arg]);
    }
    evaluateAll(fn: unknown, arg?: unknown) {
      return locatorCall(own(this), 'evaluateAll', [encodeFn(fn, 'evaluateAll(fn)'), arg]);
    }
  }
  for (const name of objectKeys(finders)) {
    const make = finders[name]!;
    defineProperty(Locator.prototype, name, {
      value: function (this: Locator, a: unknown, b: Options) {
        return new Locator(LOCATOR_TOKEN, [...own(this), make(a, b)]);
      },
    });
  }
  const LOCATOR_ACTIONS = [
    'click',
    'dblclick',
    'fill',
    'clear',
    'type',
    'pressSequentially',
    'press',
    'check',
    'uncheck',
    'setChecked',
    'selectOption',
    'hover',
    'focus',
    'scrollIntoViewIfNeeded',
    'waitFor',
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
    'count',
    'allTextContents',
    'allInnerTexts',
  ];
  for (const op of LOCATOR_ACTIONS) {
    defineProperty(Locator.prototype, op, {
      value: function (this: Locator, ...args: unknown[]) {
        return locatorCall(own(this), op, args);
      },
    });
  }
  freeze(Locator.prototype);

  const page: Record<string, unknown> = {
    goto: (url: unknown, options?: unknown) => pageCall('goto', [requireString(url, 'goto(url)'), options]),
    reload: (options?: unknown) => pageCall('reload', [options]),
    goBack: (options?: unknown) => pageCall('goBack', [options]),
    goForward: (options?: unknown) => pageCall('goForward', [options]),
    url: () => pageCall('url', []),
    title: () => pageCall('title', []),
    content: () => pageCall('content', []),
    waitForURL: (url: unknown, options?: unknown) =>
      pageCall('waitForURL', [textMatch(url, 'waitForURL(url)'), options]),
    waitForLoadState: (state?: unknown, options?: unknown) => pageCall('waitForLoadState', [state, options]),
    waitForSelector: (selector: unknown, options?: unknown) =>
      pageCall('waitForSelector', [requireString(selector, 'selector'), options]),
    waitForTimeout: (ms: unknown) => pageCall('waitForTimeout', [ms]),
    evaluate: (fn: unknown, arg?: unknown) => pageCall('evaluate', [encodeFn(fn, 'evaluate(fn)'), arg]),
    $eval: (selector: unknown, fn: unknown, arg?: unknown) =>
      pageCall('$eval', [requireString(selector, 'selector'), encodeFn(fn, '$eval(fn)'), arg]),
    $$eval: (selector: unknown, fn: unknown, arg?: unknown) =>
      pageCall('$$eval', [requireString(selector, 'selector'), encodeFn(fn, '$$eval(fn)'), arg]),
    keyboard: freeze({
      press: (key: unknown, options?: unknown) =>
        pageCall('keyboard.press', [requireString(key, 'key'), options]),
      type: (text: unknown, options?: unknown) =>
        pageCall('keyboard.type', [requireString(text, 'text'), options]),
    }),
    mouse: freeze({ wheel: (deltaX: unknown, deltaY: unknown) => pageCall('mouse.wheel', [deltaX, deltaY]) }),
  };
  for (const name of objectKeys(finders)) {
    const make = finders[name]!;
    page[name] = (a: unknown, b: Options) => new Locator(LOCATOR_TOKEN, [make(a, b)]);
  }
  freeze(page);

  const download = (trigger: Step, options: Options) => {
    const request: Step = { kind: 'files.download', trigger };
    if (options && options.name !== undefined) request.name = requireString(options.name, 'name');
    return hostCall(request);
  };
  const files = freeze({
    download: (url: unknown, options?: Options) =>
      download({ kind: 'url', url: requireString(url, 'download(url)') }, options),
    downloadFromClick: (locator: unknown, options?: Options) =>
      download({ kind: 'click', locator: chainOf(locator, 'downloadFromClick(locator)') }, options),
  });
  const withInstructions = (request: Step, options: NonNullable<Options>) => {
    if (options.instructions !== undefined)
      request.instructions = requireString(options.instructions, 'instructions');
    return hostCall(request);
  };
  const ai = freeze({
    extract: (options: Options) =>
      withInstructions(
        {
          kind: 'ai.extract',
          // biome-ignore lint/complexity/useOptionalChain: `options && …` passes a falsy non-object through to the check, as before
          input: requireString(options && options.input, 'input'),
          schema: toJson(options!.schema, 'schema'),
        },
        options!,
      ),
    classify: (options: Options) => {
      if (!options || !isArray(options.labels)) throw new NativeTypeError('classify needs labels: string[]');
      const labels = options.labels.map((label: unknown) => requireString(label, 'label'));
      return withInstructions(
        { kind: 'ai.classify', input: requireString(options.input, 'input'), labels },
        options,
      );
    },
  });

  // Secrets stay in the host: code holds placeholders, the browser gets the values.
  const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
  const totp = (name: unknown) =>
    hostCall({ kind: 'secrets.totp', name: requireString(name, 'secrets.totp(name)') });
  const secrets = new NativeProxy(freeze({}), {
    get: (_target, key) => {
      if (key === 'totp') return totp;
      if (typeof key !== 'string' || key === 'then' || !SECRET_NAME.test(key)) return undefined;
      return `\u00absecret:${key}\u00bb`;
    },
  });

  const formatValue = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (value instanceof NativeError) return value.stack || `${value.name}: ${value.message}`;
    if (
      value === undefined ||
      typeof value === 'function' ||
      typeof value === 'symbol' ||
      typeof value === 'bigint'
    ) {
      return String(value);
    }
    try {
      const json = stringify(value);
      return json === undefined ? String(value) : json;
    } catch {
      return `[unserialisable ${typeof value}]`;
    }
  };
  let logClosed = false;
  const writeLog =
    (level: string) =>
    (...values: unknown[]) => {
      if (logClosed) return;
      let message = '';
      for (let i = 0; i < values.length && message.length < MAX_LOG_CHARS; i += 1) {
        let part: string;
        try {
          part = formatValue(values[i]);
        } catch {
          part = '[unprintable]';
        }
        message += (i === 0 ? '' : ' ') + part;
      }
      if (message.length > MAX_LOG_CHARS) message = `${message.slice(0, MAX_LOG_CHARS)}… [truncated]`;
      if (rawLog(level, message) === false) logClosed = true;
    };
  const log = freeze({
    debug: writeLog('debug'),
    info: writeLog('info'),
    warn: writeLog('warn'),
    error: writeLog('error'),
  });
  const console = freeze({
    log: log.info,
    info: log.info,
    debug: log.debug,
    trace: log.debug,
    warn: log.warn,
    error: log.error,
  });
  defineProperty(global, 'console', { value: console, writable: true, configurable: true });

  const cancelledTimers = new NativeSet<number>();
  let nextTimer = 1;
  defineProperty(global, 'setTimeout', {
    writable: true,
    configurable: true,
    value: (callback: unknown, ms?: unknown, ...args: unknown[]) => {
      if (typeof callback !== 'function') throw new NativeTypeError('setTimeout needs a function');
      const id = nextTimer++;
      pageCall('waitForTimeout', [Math.max(0, Number(ms) || 0)]).then(
        () => {
          if (!cancelledTimers.delete(id)) callback(...args);
        },
        () => cancelledTimers.delete(id),
      );
      return id;
    },
  });
  defineProperty(global, 'clearTimeout', {
    writable: true,
    configurable: true,
    value: (id: number) => void cancelledTimers.add(id),
  });

  class RuntimeError extends NativeError {
    constructor(name: string, message: string) {
      super(`[webtasks:runtime] ${message}`);
      this.name = name;
    }
  }
  const runtimeError = (name: string, message: string) => new RuntimeError(name, message);
  const deepFreeze = (value: any): unknown => {
    if (value !== null && typeof value === 'object' && !isFrozen(value)) {
      for (const key of objectKeys(value)) deepFreeze(value[key]);
      freeze(value);
    }
    return value;
  };
  const outputReplacer = (key: string, value: unknown) => {
    const where = key === '' ? 'the output' : `the output (at key "${key}")`;
    const kind = typeof value;
    if (kind === 'function' || kind === 'symbol') {
      throw runtimeError(INVALID_OUTPUT, `${where} is a ${kind}. Return plain JSON data.`);
    }
    if (kind === 'bigint')
      throw runtimeError(INVALID_OUTPUT, `${where} is a BigInt. Convert it with Number() or String().`);
    if (value instanceof NativeMap || value instanceof NativeSet) {
      throw runtimeError(
        INVALID_OUTPUT,
        `${where} is a Map or Set. Convert it with Object.fromEntries() or Array.from().`,
      );
    }
    return value;
  };
  const serializeOutput = (output: unknown) => {
    if (output === undefined) return 'null';
    let json: string | undefined;
    try {
      json = stringify(output, outputReplacer);
    } catch (error) {
      if (error && (error as Error).name === INVALID_OUTPUT) throw error;
      throw runtimeError(
        INVALID_OUTPUT,
        'The output is not JSON (' +
          (error && (error as Error).message) +
          '). Return plain data without cycles.',
      );
    }
    return json === undefined ? 'null' : json;
  };
  defineProperty(global, '__wt_run', {
    value: async (exportsDefault: unknown, paramsJson: unknown) => {
      if (typeof exportsDefault !== 'function') {
        throw runtimeError(
          INVALID_CODE,
          'The code must export a default function: export default async function run(ctx) { ... } (got ' +
            typeof exportsDefault +
            ').',
        );
      }
      const params = deepFreeze(parse(typeof paramsJson === 'string' ? paramsJson : '{}'));
      const ctx = freeze({ page, params, files, ai, log, secrets });
      const output = await exportsDefault(ctx);
      return serializeOutput(output);
    },
  });
}

/**
 * The JavaScript (ES2022, classic script) a sandbox evaluates in a fresh global before the
 * generated code. It implements `TaskContext` (see `declarations.ts`) on two globals the sandbox
 * provides, and removes them from `globalThis` so generated code cannot reach the raw bridge:
 *
 * - `__wt_call(requestJson: string): Promise<string>`: one `HostCall` as JSON; resolves with the
 *   result as JSON, rejects with the error message.
 * - `__wt_log(level: string, message: string): void | boolean`; returning `false` means the
 *   sandbox keeps no more lines, and the prelude stops formatting and sending them.
 *
 * It defines `globalThis.__wt_run(exportsDefault, paramsJson): Promise<string>`, which calls the
 * code's default export with a context and resolves with the output as JSON (`undefined` becomes
 * `null`). Errors named in `RUNTIME_ERROR_NAMES` mean the export is not a function or the output
 * is not JSON. It also provides `console` (mapped to `log`) and a `setTimeout` that sleeps through
 * the host (`page.waitForTimeout`); `WebAssembly`, `SharedArrayBuffer` and `Atomics` are removed.
 *
 * The text is built from `webtasksPrelude` (a type-checked, linted function in this file) by
 * `Function.prototype.toString`, so it is what the TypeScript transform (tsup for `dist`, vitest
 * for the sources) emitted for that function: the same code, not the same bytes as its source.
 */
export const RUNTIME_PRELUDE: string = `(${webtasksPrelude.toString()})(globalThis, ${JSON.stringify(RUNTIME_ERROR_NAMES)});\n`;
