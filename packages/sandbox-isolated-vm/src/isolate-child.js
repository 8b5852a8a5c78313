// @ts-check
// The supervised child process: runs each task in a fresh V8 isolate (isolated-vm) and speaks to
// the parent over the socket on fd 3, one frame per line (`frames.js`; `child-messages.ts` for
// the messages). Plain JavaScript so that the same file runs from the sources in tests and from
// `dist` after a build, without a loader.
// A fatal V8 out-of-memory in an isolate aborts this process; the parent contains that.
import { Socket } from 'node:net';
import ivm from 'isolated-vm';
import { decodeParentFrame, encodeChildMessage, LineReader } from './frames.js';

/**
 * Checked by tsc (`checkJs` for this file in the package's tsconfig) with the types below; it
 * stays JavaScript so that the sources run without a loader.
 * @import { ChildMessage, ChildOutcome, ChildRunLimits, ParentMessage } from './child-messages.js'
 */
/** @typedef {Extract<ParentMessage, { type: 'run' }>} RunMessage */
/** @typedef {'timeout' | 'aborted' | 'memory'} StopReason */
/** @typedef {Extract<ChildOutcome, { ok: false }>['kind']} FailureKind */
/**
 * The isolate's references the child calls into, once the bridge and the prelude are in place.
 * @typedef {object} IsolateEntries
 * @property {ivm.Context} context
 * @property {ivm.Reference<(callId: number, reply: string) => void>} deliver
 * @property {ivm.Reference<(fn: unknown, paramsJson: string) => void>} start
 */
/**
 * An isolate prepared for a run; `binding.run` is set when a run takes it.
 * @typedef {object} PreparedIsolate
 * @property {ivm.Isolate} isolate
 * @property {number} memoryMb
 * @property {{ run: Run | undefined }} binding
 * @property {Promise<IsolateEntries>} ready
 */
/**
 * One run's state in the child.
 * @typedef {object} Run
 * @property {number} runId
 * @property {ivm.Isolate} isolate
 * @property {ChildRunLimits} limits
 * @property {Set<number>} pending host calls sent to the parent and not yet answered
 * @property {number} logs
 * @property {StopReason | undefined} stopReason
 * @property {ChildOutcome | undefined} outcome
 * @property {number} heapBytes
 * @property {number} cpuStartMs
 * @property {number | undefined} cpuEndMs the isolate's CPU time when the run ended
 * @property {ReturnType<typeof setInterval> | undefined} watchdog
 * @property {number} watchdogTicks
 * @property {boolean} heapPending
 * @property {IsolateEntries['deliver'] | undefined} deliver
 */

const PRELUDE_FILE = 'webtasks-runtime.js';
const CODE_FILE = 'task.js';
const INVALID_CODE = 'WebtasksInvalidCodeError';
const INVALID_OUTPUT = 'WebtasksInvalidOutputError';
const WATCHDOG_MS = 50;
// Heap statistics are only reported (isolated-vm enforces the memory limit itself); reading them
// crosses to the isolate's thread, so the watchdog samples them every fifth tick.
const HEAP_SAMPLE_EVERY = 5;
const MAX_LOG_MESSAGE = 8000;
const MAX_REQUEST_CHARS = 8 * 1024 * 1024;

// Every entry into an isolate is synchronous and on this thread (`applySync`, `runSync`): a
// host call is a plain function call out of the isolate and its reply one call back in, with no
// hop to isolated-vm's isolate thread and back (about a third of a bridged call's cost). The
// isolate's microtasks run at the end of each entry, and each entry carries a `timeout` of the
// CPU budget left, so code that never yields is still stopped.

// Defines the raw bridge inside the isolate. `$0`/`$1` are References to the child's functions.
// `__wt_call` registers the call and hands it to the child, which answers later by calling the
// `deliver` function this closure returns (never a global: code cannot fake a reply). Replies
// are '1' + json or '0' + error message, so a host failure is an Error inside the isolate.
const BRIDGE_SOURCE = `'use strict';
const host = $0;
const log = $1;
const slice = String.prototype.slice;
const apply = Reflect.apply;
const NativeError = Error;
const NativePromise = Promise;
const waiting = new Map();
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapDelete = Map.prototype.delete;
const COPY = { arguments: { copy: true } };
let nextId = 1;
let ended;
globalThis.__wt_call = function (requestJson) {
  return new NativePromise((resolve, reject) => {
    // Once the run ended, calls fail here with one shared Error, without crossing to the host:
    // a flood of thousands of calls then costs neither host work nor an Error (and its stack) each.
    if (ended !== undefined) return reject(ended);
    const id = nextId++;
    apply(mapSet, waiting, [id, [resolve, reject]]);
    const refused = host.applySync(undefined, [id, '' + requestJson], COPY);
    if (typeof refused === 'string') {
      apply(mapDelete, waiting, [id]);
      const error = new NativeError(refused[0] === '!' ? apply(slice, refused, [1]) : refused);
      if (refused[0] === '!') ended = error;
      reject(error);
    }
  });
};
globalThis.__wt_log = function (level, message) {
  return log.applySync(undefined, ['' + level, '' + message], COPY);
};
return function deliver(id, reply) {
  const entry = apply(mapGet, waiting, [id]);
  if (entry === undefined) return;
  apply(mapDelete, waiting, [id]);
  if (reply[0] === '1') entry[0](apply(slice, reply, [1]));
  else entry[1](new NativeError(apply(slice, reply, [1])));
};`;

// Starts the prelude's `__wt_run` and reports how it ended through `$0` (`done`): the output JSON,
// or the thrown value described as strings (name, message, stack) for the child to classify.
const START_SOURCE = `'use strict';
const run = globalThis.__wt_run;
const done = $0;
const stringify = JSON.stringify;
const NativeError = Error;
const COPY = { arguments: { copy: true } };
const describe = (error) => {
  try {
    if (error instanceof NativeError) {
      return [true, '' + error.name, '' + error.message, typeof error.stack === 'string' ? error.stack : ''];
    }
    if (typeof error === 'string') return [false, '', error, ''];
    if (error === null || error === undefined) return [false, '', 'The code threw ' + error + '.', ''];
    let text;
    try {
      text = stringify(error);
    } catch {}
    return [false, '', typeof text === 'string' ? text : '' + error, ''];
  } catch {
    return [false, '', 'The code threw a value that cannot be described.', ''];
  }
};
return function start(fn, paramsJson) {
  run(fn, paramsJson).then(
    (json) => done.applySync(undefined, [true, typeof json === 'string' ? json : null], COPY),
    (error) => done.applySync(undefined, [false, describe(error)], COPY),
  );
};`;

/** @type {string | undefined} */
let prelude;
/**
 * V8's code cache for the prelude, produced by the first run: later compiles take a fraction of the time.
 * @type {ivm.ExternalCopy<ArrayBuffer> | undefined}
 */
let preludeCache;
/** @type {Map<number, Run>} */
const runs = new Map();

const channel = new Socket({ fd: 3, readable: true, writable: true });

/** @param {ChildMessage} message */
function send(message) {
  if (!channel.destroyed && channel.writable) channel.write(encodeChildMessage(message));
}

// The parent is trusted; its frames are as long as a run's code and parameters.
const reader = new LineReader(
  (frame) => receive(decodeParentFrame(frame)),
  () => process.exit(1),
  Number.MAX_SAFE_INTEGER,
);
channel.setEncoding('utf8');
channel.on('data', (/** @type {string} */ chunk) => reader.push(chunk));
// The parent went away (or closed the channel): nothing is left to do here.
channel.on('close', () => process.exit(0));
channel.on('error', () => process.exit(0));

/** @param {ParentMessage | undefined} message */
function receive(message) {
  if (!message || typeof message !== 'object') return;
  if (message.type === 'init') {
    prelude = message.prelude;
    send({ type: 'ready' });
  } else if (message.type === 'run') {
    startRun(message);
  } else if (message.type === 'reply') {
    const run = runs.get(message.runId);
    if (!run || run.outcome !== undefined || !run.pending.delete(message.callId)) return;
    const reply = message.ok ? `1${message.json}` : `0${message.message}`;
    enter(run, (timeout) =>
      // A pending call means the code started, and `deliver` was set before it did.
      /** @type {NonNullable<Run['deliver']>} */ (run.deliver).applySync(undefined, [message.callId, reply], {
        arguments: { copy: true },
        timeout,
      }),
    );
  } else if (message.type === 'cancel') {
    const run = runs.get(message.runId);
    if (run) stopRun(run, message.reason === 'aborted' ? 'aborted' : 'timeout');
  }
}

/**
 * End the run for `reason` (`endRun` disposes its isolate).
 * @param {Run} run
 * @param {StopReason} reason
 */
function stopRun(run, reason) {
  if (run.stopReason === undefined) run.stopReason = reason;
  endRun(run, classify(run, new Error(reason)));
}

/**
 * One synchronous entry into the run's isolate, limited to the CPU time the run has left. A
 * limit hit inside it (timeout, memory) throws here and ends the run.
 * @param {Run} run
 * @param {(timeout: number) => void} call
 */
function enter(run, call) {
  if (run.outcome !== undefined || run.isolate.isDisposed) return;
  const used = (readCpuMs(run.isolate) ?? run.cpuStartMs) - run.cpuStartMs;
  const timeout = Math.max(1, Math.ceil(run.limits.cpuTimeoutMs - used));
  try {
    call(timeout);
  } catch (error) {
    endRun(run, classify(run, error));
  }
}

// The next run's isolate, prepared (context, bridge, prelude) while the child is idle, so that a
// run only pays for compiling and running its own code. Still one fresh isolate per run.
/** @type {PreparedIsolate | undefined} */
let spare;

/**
 * @param {number} memoryMb
 * @returns {PreparedIsolate}
 */
function prepareIsolate(memoryMb) {
  /** @type {PreparedIsolate['binding']} */
  const binding = { run: undefined };
  // No onCatastrophicError: that callback would need this thread, which is inside the dying
  // isolate; without it isolated-vm aborts the process at once and the parent reports the crash.
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb });
  const ready = (async () => {
    const context = await isolate.createContext();
    const bridge = [
      (/** @type {number} */ callId, /** @type {unknown} */ json) => hostCall(binding.run, callId, json),
      (/** @type {unknown} */ level, /** @type {unknown} */ message) => hostLog(binding.run, level, message),
    ];
    const deliver = await context.evalClosure(BRIDGE_SOURCE, bridge, {
      arguments: { reference: true },
      result: { reference: true },
    });
    const preludeScript = /** @type {ivm.Script & { cachedData?: ivm.ExternalCopy<ArrayBuffer> }} */ (
      await isolate.compileScript(
        /** @type {string} */ (prelude),
        preludeCache
          ? { filename: PRELUDE_FILE, cachedData: preludeCache }
          : { filename: PRELUDE_FILE, produceCachedData: true },
      )
    );
    if (!preludeCache && preludeScript.cachedData) preludeCache = preludeScript.cachedData;
    await preludeScript.run(context, { timeout: 5000 });
    const start = await context.evalClosure(
      START_SOURCE,
      [(/** @type {boolean} */ ok, /** @type {unknown} */ value) => runDone(binding.run, ok, value)],
      {
        arguments: { reference: true },
        result: { reference: true },
      },
    );
    return /** @type {IsolateEntries} */ ({ context, deliver, start });
  })();
  ready.catch(() => {});
  return { isolate, memoryMb, binding, ready };
}

/**
 * @param {number} memoryMb
 * @returns {PreparedIsolate}
 */
function takeIsolate(memoryMb) {
  const prepared = spare;
  spare = undefined;
  if (prepared && prepared.memoryMb === memoryMb && !prepared.isolate.isDisposed) return prepared;
  if (prepared && !prepared.isolate.isDisposed) prepared.isolate.dispose();
  return prepareIsolate(memoryMb);
}

// Called synchronously from inside the isolate. Returns an error message to refuse the call, or
// nothing once the call is on its way to the parent (the reply comes back through `deliver`).
/**
 * @param {Run | undefined} run
 * @param {number} callId
 * @param {unknown} requestJson
 * @returns {string | undefined}
 */
function hostCall(run, callId, requestJson) {
  // A leading '!' tells the bridge that every later call fails the same way.
  if (!run || run.outcome !== undefined) return '!the run ended';
  const json = String(requestJson);
  if (json.length > MAX_REQUEST_CHARS) return `the host call is larger than ${MAX_REQUEST_CHARS} characters`;
  if (run.pending.size >= run.limits.maxConcurrentCalls) {
    // Ends the run: thousands of calls started at once (a Promise.all over every element)
    // would otherwise all reach the host, which serves other tenants too.
    const message = `The code had more than ${run.limits.maxConcurrentCalls} host calls waiting at once (limits.maxConcurrentCalls): await them in batches (for example 20 at a time) instead of all together, or raise the limit.`;
    endRun(run, failure('too-many-calls', message));
    return `!${message}`;
  }
  run.pending.add(callId);
  send({ type: 'call', runId: run.runId, callId, json });
  return undefined;
}

// Returns false once the run keeps no more lines, so the prelude stops sending them.
/**
 * @param {Run | undefined} run
 * @param {unknown} level
 * @param {unknown} message
 */
function hostLog(run, level, message) {
  if (!run || run.outcome !== undefined) return false;
  run.logs += 1;
  if (run.logs > run.limits.maxLogEntries) return false;
  send({
    type: 'log',
    runId: run.runId,
    // The parent checks the level (`parseChildMessage`): this process runs hostile code.
    level: /** @type {Extract<ChildMessage, { type: 'log' }>['level']} */ (String(level)),
    message: String(message).slice(0, MAX_LOG_MESSAGE),
  });
  return run.logs < run.limits.maxLogEntries;
}

// The prelude's `__wt_run` settled: `value` is the output JSON, or [isError, name, message, stack].
/**
 * @param {Run | undefined} run
 * @param {boolean} ok
 * @param {unknown} value
 */
function runDone(run, ok, value) {
  if (!run || run.outcome !== undefined) return;
  if (ok) {
    if (typeof value !== 'string') {
      endRun(run, failure('invalid-output', 'The runtime returned no JSON output.'));
    } else if (Buffer.byteLength(value) > run.limits.maxOutputBytes) {
      endRun(
        run,
        failure(
          'output-too-large',
          `The output is ${Buffer.byteLength(value)} bytes, over the limit of ${run.limits.maxOutputBytes}.`,
        ),
      );
    } else {
      endRun(run, { ok: true, json: value });
    }
    return;
  }
  const [isError, name, message, stack] = Array.isArray(value) ? value : [false, '', 'The code failed.', ''];
  /** @type {string | Error} */
  let error = String(message);
  if (isError) {
    error = new Error(String(message));
    error.name = String(name);
    error.stack = String(stack);
  }
  // A value the code threw cannot be a limit: only the child's own stop reason says that.
  endRun(run, run.stopReason === undefined ? codeFailure(error) : classify(run, error));
}

/** @param {RunMessage} message */
function startRun(message) {
  const { runId, limits } = message;
  const prepared = takeIsolate(limits.memoryMb);
  const { isolate } = prepared;
  /** @type {Run} */
  const run = {
    runId,
    isolate,
    limits,
    pending: new Set(),
    logs: 0,
    stopReason: undefined,
    outcome: undefined,
    heapBytes: 0,
    cpuStartMs: 0,
    cpuEndMs: undefined,
    watchdog: undefined,
    watchdogTicks: 0,
    heapPending: false,
    deliver: undefined,
  };
  prepared.binding.run = run;
  runs.set(runId, run);
  execute(run, prepared, message).catch((error) => endRun(run, classify(run, error)));
}

/**
 * @param {Run} run
 * @param {PreparedIsolate} prepared
 * @param {RunMessage} message
 */
async function execute(run, prepared, { code, paramsJson, limits }) {
  const { isolate } = run;
  const { context, deliver, start } = await prepared.ready;
  if (run.outcome !== undefined) return;
  run.deliver = deliver;
  run.cpuStartMs = readCpuMs(isolate) ?? 0;

  let codeScript;
  try {
    codeScript = await isolate.compileScript(wrapCommonJs(code), { filename: CODE_FILE, lineOffset: -1 });
  } catch (error) {
    endRun(run, failure('invalid-code', `The code does not compile: ${errorText(error)}`, undefined));
    return;
  }
  if (run.outcome !== undefined) return;
  run.watchdog = setInterval(() => watch(run), WATCHDOG_MS);
  let exported;
  try {
    exported = codeScript.runSync(context, { reference: true, timeout: limits.cpuTimeoutMs });
  } catch (error) {
    if (run.stopReason !== undefined || isLimitError(error)) throw error;
    endRun(
      run,
      failure('invalid-code', `The code threw while loading: ${errorText(error)}`, cleanStack(error)),
    );
    return;
  }
  if (exported.typeof !== 'function') {
    endRun(
      run,
      failure(
        'invalid-code',
        `The code must set exports.default to the task function (export default async function run(ctx) { ... }); it is ${exported.typeof}.`,
      ),
    );
    return;
  }
  enter(run, (timeout) =>
    start.applySync(undefined, [exported.derefInto(), paramsJson], { arguments: { copy: true }, timeout }),
  );
}

/**
 * Record how the run ended. It may be called from inside an entry (the code finished): the
 * report, the isolate's disposal and the next isolate's preparation wait for the entry to end.
 * @param {Run} run
 * @param {ChildOutcome} outcome
 */
function endRun(run, outcome) {
  if (run.outcome !== undefined) return;
  run.outcome = outcome;
  clearInterval(run.watchdog);
  haltIsolate(run);
  setImmediate(() => finishRun(run));
}

/**
 * Dispose the isolate of a run that has ended, also from inside an entry: the code stops at
 * once (the entry then throws "Isolate was disposed during execution", which `enter` ignores,
 * the outcome being set). Without it the entry would go on until its CPU budget ran out: the
 * rest of a flood of 99,000 calls after the cap tripped, or code that catches every refusal, or
 * work the code left running after it returned, each burning this child's CPU (and delaying the
 * next tenant's run here) for up to `cpuTimeoutMs`.
 * @param {Run} run
 */
function haltIsolate(run) {
  const { isolate } = run;
  if (isolate.isDisposed) return;
  run.cpuEndMs = readCpuMs(isolate);
  try {
    run.heapBytes = Math.max(run.heapBytes, isolate.getHeapStatisticsSync().used_heap_size);
  } catch {}
  try {
    isolate.dispose();
  } catch {}
}

/** @param {Run} run */
function finishRun(run) {
  const { isolate, runId, outcome } = run;
  const cpuEnd = run.cpuEndMs ?? readCpuMs(isolate);
  const cpuMs = cpuEnd === undefined ? undefined : Math.max(0, cpuEnd - run.cpuStartMs);
  runs.delete(runId);
  run.pending.clear();
  // Report first, then free the isolate and prepare the next one: the parent's next message
  // waits in the queue meanwhile.
  // finishRun is only scheduled by endRun, after it set the outcome.
  send({
    type: 'done',
    runId,
    outcome: /** @type {ChildOutcome} */ (outcome),
    cpuMs,
    heapBytes: run.heapBytes || undefined,
  });
  if (!spare) spare = prepareIsolate(run.limits.memoryMb);
}

// CommonJS shape: `module` and `exports` in scope; the expression yields `module.exports.default`.
// The first line holds the wrapper, so `lineOffset: -1` keeps the code's own line numbers.
/** @param {string} code */
function wrapCommonJs(code) {
  return `(function () { const module = { exports: {} }; (function (exports, module) {\n${code}\n}).call(module.exports, module.exports, module); return module.exports && module.exports.default; })()`;
}

/** @param {Run} run */
function watch(run) {
  if (run.isolate.isDisposed || run.outcome !== undefined) return;
  // readCpuMs is undefined only if the isolate is gone; `undefined - n` is NaN, which is not over the limit.
  if (/** @type {number} */ (readCpuMs(run.isolate)) - run.cpuStartMs > run.limits.cpuTimeoutMs) {
    stopRun(run, 'timeout');
    return;
  }
  run.watchdogTicks += 1;
  if (run.heapPending || run.watchdogTicks % HEAP_SAMPLE_EVERY !== 0) return;
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

/**
 * @param {ivm.Isolate} isolate
 * @returns {number | undefined}
 */
function readCpuMs(isolate) {
  try {
    return Number(isolate.cpuTime / 1000n) / 1000;
  } catch {
    return undefined;
  }
}

/** @param {unknown} error */
function isLimitError(error) {
  const message = errorText(error);
  return message.includes('memory limit') || message.includes('Script execution timed out');
}

/**
 * @param {Run} run
 * @param {unknown} error
 * @returns {ChildOutcome}
 */
function classify(run, error) {
  const message = errorText(error);
  if (run.stopReason === 'aborted') return failure('aborted', 'The run was aborted.');
  if (message.includes('memory limit') || run.stopReason === 'memory') {
    return failure('memory', 'The code used more memory than its limit.');
  }
  if (run.stopReason === 'timeout' || message.includes('Script execution timed out')) {
    return failure('timeout', 'The code used more CPU time than its limit.');
  }
  return codeFailure(error);
}

/**
 * @param {unknown} error
 * @returns {ChildOutcome}
 */
function codeFailure(error) {
  const message = errorText(error);
  if (isNamed(error, INVALID_CODE)) return failure('invalid-code', message);
  if (isNamed(error, INVALID_OUTPUT)) return failure('invalid-output', message);
  return failure('threw', message, cleanStack(error));
}

// isolated-vm keeps an error's name in some cases only; the stack's first line always has it.
/**
 * @param {unknown} error
 * @param {string} name
 */
function isNamed(error, name) {
  if (!(error instanceof Error)) return false;
  return error.name === name || (typeof error.stack === 'string' && error.stack.startsWith(`${name}:`));
}

/**
 * @param {FailureKind} kind
 * @param {string} message
 * @param {string} [stack]
 * @returns {ChildOutcome}
 */
function failure(kind, message, stack) {
  return { ok: false, kind, message, stack };
}

/**
 * @param {unknown} error
 * @returns {string}
 */
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
/** @param {unknown} error */
function cleanStack(error) {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return undefined;
  const lines = [];
  for (const line of error.stack.split('\n')) {
    // The boundary, and the bridge's own frames (`start`) below the code's.
    if (line.includes('<isolated-vm boundary>') || line.includes('(<isolated-vm>')) break;
    if (!line.includes(PRELUDE_FILE)) lines.push(line);
  }
  return lines.join('\n');
}
