// The supervised child process: runs each task in a fresh V8 isolate (isolated-vm) and speaks to
// the parent over IPC (see `child-messages.ts` for the protocol). Plain JavaScript so that the
// same file runs from the sources in tests and from `dist` after a build, without a loader.
// A fatal V8 out-of-memory in an isolate aborts this process; the parent contains that.
import ivm from 'isolated-vm';

const PRELUDE_FILE = 'webtasks-runtime.js';
const CODE_FILE = 'task.js';
const INVALID_CODE = 'WebtasksInvalidCodeError';
const INVALID_OUTPUT = 'WebtasksInvalidOutputError';
const WATCHDOG_MS = 20;
const MAX_LOG_MESSAGE = 8000;
const MAX_REQUEST_CHARS = 8 * 1024 * 1024;

// Defines the raw bridge inside the isolate. `$0`/`$1` are References to the child's functions;
// host results come back as '1' + json or '0' + error message, so a host failure never becomes a
// rejected promise on this side.
const BRIDGE_SOURCE = `'use strict';
const call = $0;
const log = $1;
const slice = String.prototype.slice;
const apply = Reflect.apply;
const NativeError = Error;
globalThis.__wt_call = async function (requestJson) {
  const reply = await call.apply(undefined, ['' + requestJson], { arguments: { copy: true }, result: { promise: true, copy: true } });
  if (typeof reply === 'string' && reply[0] === '1') return apply(slice, reply, [1]);
  throw new NativeError(typeof reply === 'string' ? apply(slice, reply, [1]) : 'host call failed');
};
globalThis.__wt_log = function (level, message) {
  return log.applySync(undefined, ['' + level, '' + message], { arguments: { copy: true } });
};`;

/** @type {string | undefined} */
let prelude;
/** V8's code cache for the prelude, produced by the first run: later compiles take a fraction of the time. */
let preludeCache;
/** @type {Map<number, any>} */
const runs = new Map();

function send(message) {
  if (process.connected) process.send(message);
}

process.on('message', (message) => {
  if (!message || typeof message !== 'object') return;
  if (message.type === 'init') {
    prelude = message.prelude;
    send({ type: 'ready' });
  } else if (message.type === 'run') {
    startRun(message);
  } else if (message.type === 'reply') {
    const run = runs.get(message.runId);
    const pending = run?.pending.get(message.callId);
    if (!pending) return;
    run.pending.delete(message.callId);
    pending(message.ok ? `1${message.json}` : `0${message.message}`);
  } else if (message.type === 'cancel') {
    const run = runs.get(message.runId);
    if (run) stopIsolate(run, message.reason === 'aborted' ? 'aborted' : 'timeout');
  }
});
process.on('disconnect', () => process.exit(0));

function stopIsolate(run, reason) {
  if (run.stopReason === undefined) run.stopReason = reason;
  if (!run.isolate.isDisposed) run.isolate.dispose();
}

// The next run's isolate, prepared (context, bridge, prelude) while the child is idle, so that a
// run only pays for compiling and running its own code. Still one fresh isolate per run.
let spare;

function prepareIsolate(memoryMb) {
  const binding = { run: undefined };
  const isolate = new ivm.Isolate({
    memoryLimit: memoryMb,
    onCatastrophicError: (text) => {
      send({ type: 'fatal', message: String(text) });
      process.abort();
    },
  });
  const ready = (async () => {
    const context = await isolate.createContext();
    const bridge = [
      (json) => hostCall(binding.run, json),
      (level, message) => hostLog(binding.run, level, message),
    ];
    await context.evalClosure(BRIDGE_SOURCE, bridge, { arguments: { reference: true } });
    const preludeScript = await isolate.compileScript(
      prelude,
      preludeCache
        ? { filename: PRELUDE_FILE, cachedData: preludeCache }
        : { filename: PRELUDE_FILE, produceCachedData: true },
    );
    if (!preludeCache && preludeScript.cachedData) preludeCache = preludeScript.cachedData;
    await preludeScript.run(context, { timeout: 5000 });
    const runner = await context.global.get('__wt_run', { reference: true });
    return { context, runner };
  })();
  ready.catch(() => {});
  return { isolate, memoryMb, binding, ready };
}

function takeIsolate(memoryMb) {
  const prepared = spare;
  spare = undefined;
  if (prepared && prepared.memoryMb === memoryMb && !prepared.isolate.isDisposed) return prepared;
  if (prepared && !prepared.isolate.isDisposed) prepared.isolate.dispose();
  return prepareIsolate(memoryMb);
}

function hostCall(run, requestJson) {
  return new Promise((resolve) => {
    if (!run || !runs.has(run.runId)) return resolve('0the run ended');
    const json = String(requestJson);
    if (json.length > MAX_REQUEST_CHARS)
      return resolve(`0the host call is larger than ${MAX_REQUEST_CHARS} characters`);
    const callId = run.nextCallId++;
    run.pending.set(callId, resolve);
    send({ type: 'call', runId: run.runId, callId, json });
  });
}

// Returns false once the run keeps no more lines, so the prelude stops sending them.
function hostLog(run, level, message) {
  if (!run || !runs.has(run.runId)) return false;
  run.logs += 1;
  if (run.logs > run.maxLogEntries) return false;
  send({
    type: 'log',
    runId: run.runId,
    level: String(level),
    message: String(message).slice(0, MAX_LOG_MESSAGE),
  });
  return run.logs < run.maxLogEntries;
}

function startRun(message) {
  const { runId, limits } = message;
  const prepared = takeIsolate(limits.memoryMb);
  const { isolate } = prepared;
  const run = {
    runId,
    isolate,
    pending: new Map(),
    nextCallId: 1,
    logs: 0,
    maxLogEntries: limits.maxLogEntries,
    stopReason: undefined,
    heapBytes: 0,
    cpuStartMs: 0,
  };
  prepared.binding.run = run;
  runs.set(runId, run);
  execute(run, prepared, message)
    .then(
      (outcome) => outcome,
      (error) => classify(run, error),
    )
    .then((outcome) => {
      const cpuEnd = readCpuMs(isolate);
      const cpuMs = cpuEnd === undefined ? undefined : Math.max(0, cpuEnd - run.cpuStartMs);
      if (!isolate.isDisposed) {
        try {
          run.heapBytes = Math.max(run.heapBytes, isolate.getHeapStatisticsSync().used_heap_size);
        } catch {}
      }
      runs.delete(runId);
      for (const resolve of run.pending.values()) resolve('0the run ended');
      // Report first, then free the isolate and prepare the next one: the parent's next message
      // waits in the queue meanwhile.
      send({ type: 'done', runId, outcome, cpuMs, heapBytes: run.heapBytes || undefined });
      if (!isolate.isDisposed) isolate.dispose();
      if (!spare) spare = prepareIsolate(limits.memoryMb);
    });
}

async function execute(run, prepared, { code, paramsJson, limits }) {
  const { isolate } = run;
  const { context, runner } = await prepared.ready;
  run.cpuStartMs = readCpuMs(isolate) ?? 0;

  let codeScript;
  try {
    codeScript = await isolate.compileScript(wrapCommonJs(code), { filename: CODE_FILE, lineOffset: -1 });
  } catch (error) {
    return failure('invalid-code', `The code does not compile: ${errorText(error)}`, undefined);
  }
  const watchdog = setInterval(() => watch(run, limits), WATCHDOG_MS);
  try {
    let exported;
    try {
      exported = await codeScript.run(context, { reference: true, timeout: limits.cpuTimeoutMs });
    } catch (error) {
      if (run.stopReason !== undefined || isLimitError(error)) throw error;
      return failure('invalid-code', `The code threw while loading: ${errorText(error)}`, cleanStack(error));
    }
    if (exported.typeof !== 'function') {
      return failure(
        'invalid-code',
        `The code must set exports.default to the task function (export default async function run(ctx) { ... }); it is ${exported.typeof}.`,
      );
    }
    const json = await runner.apply(undefined, [exported.derefInto(), paramsJson], {
      timeout: limits.cpuTimeoutMs,
      arguments: { copy: true },
      result: { promise: true, copy: true },
    });
    if (typeof json !== 'string') return failure('invalid-output', 'The runtime returned no JSON output.');
    if (Buffer.byteLength(json) > limits.maxOutputBytes) {
      return failure(
        'output-too-large',
        `The output is ${Buffer.byteLength(json)} bytes, over the limit of ${limits.maxOutputBytes}.`,
      );
    }
    return { ok: true, json };
  } finally {
    clearInterval(watchdog);
  }
}

// CommonJS shape: `module` and `exports` in scope; the expression yields `module.exports.default`.
// The first line holds the wrapper, so `lineOffset: -1` keeps the code's own line numbers.
function wrapCommonJs(code) {
  return `(function () { const module = { exports: {} }; (function (exports, module) {\n${code}\n}).call(module.exports, module.exports, module); return module.exports && module.exports.default; })()`;
}

function watch(run, limits) {
  if (run.isolate.isDisposed) return;
  if (readCpuMs(run.isolate) - run.cpuStartMs > limits.cpuTimeoutMs) {
    stopIsolate(run, 'timeout');
    return;
  }
  if (run.heapPending) return;
  run.heapPending = true;
  run.isolate.getHeapStatistics().then(
    (stats) => {
      run.heapPending = false;
      run.heapBytes = Math.max(run.heapBytes, stats.used_heap_size);
    },
    () => {
      run.heapPending = false;
    },
  );
}

function readCpuMs(isolate) {
  try {
    return Number(isolate.cpuTime / 1000n) / 1000;
  } catch {
    return undefined;
  }
}

function isLimitError(error) {
  const message = errorText(error);
  return message.includes('memory limit') || message.includes('Script execution timed out');
}

function classify(run, error) {
  const message = errorText(error);
  if (run.stopReason === 'aborted') return failure('aborted', 'The run was aborted.');
  if (message.includes('memory limit') || run.stopReason === 'memory') {
    return failure('memory', 'The code used more memory than its limit.');
  }
  if (run.stopReason === 'timeout' || message.includes('Script execution timed out')) {
    return failure('timeout', 'The code used more CPU time than its limit.');
  }
  if (isNamed(error, INVALID_CODE)) return failure('invalid-code', message);
  if (isNamed(error, INVALID_OUTPUT)) return failure('invalid-output', message);
  return failure('threw', message, cleanStack(error));
}

// isolated-vm keeps an error's name in some cases only; the stack's first line always has it.
function isNamed(error, name) {
  if (!(error instanceof Error)) return false;
  return error.name === name || (typeof error.stack === 'string' && error.stack.startsWith(`${name}:`));
}

function failure(kind, message, stack) {
  return { ok: false, kind, message, stack };
}

function errorText(error) {
  if (error instanceof Error) return error.message || error.name;
  if (error === null || error === undefined) return `The code threw ${error}.`;
  try {
    return typeof error === 'string' ? error : JSON.stringify(error) || String(error);
  } catch {
    return String(error);
  }
}

// Keep the frames of the code; drop the runtime's and everything from the isolate boundary on.
function cleanStack(error) {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return undefined;
  const lines = [];
  for (const line of error.stack.split('\n')) {
    if (line.includes('<isolated-vm boundary>')) break;
    if (!line.includes(PRELUDE_FILE)) lines.push(line);
  }
  return lines.join('\n');
}
