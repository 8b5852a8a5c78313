import type {
  HostCall,
  JsonValue,
  Logger,
  SandboxErrorKind,
  SandboxLogEntry,
  SandboxRunOptions,
  SandboxRunResult,
  SandboxStats,
} from '@webtasks/core';
import type { ChildMessage, ChildOutcome } from './child-messages.js';
import type { IsolateWorker, WorkerExit } from './isolate-worker.js';
import { parseHostCall } from './parse-host-call.js';
import type { ResolvedLimits } from './sandbox-options.js';

const PREFIX = '[webtasks:sandbox-isolated-vm]';
const MAX_HOST_ERROR_CHARS = 4000;

/** One run of code on one child process, seen from the parent. */
export interface RunSessionOptions {
  worker: IsolateWorker;
  runId: number;
  run: SandboxRunOptions;
  paramsJson: string;
  limits: ResolvedLimits;
  cancelGraceMs: number;
  logger: Logger;
  /** The child is free again (`reuse`), or must be replaced (`discard`), or is already gone (`gone`). */
  onWorkerFree(state: 'reuse' | 'discard' | 'gone'): void;
}

/**
 * Drive one run: start it in the child, serve its host calls and logs, and enforce what only
 * the parent can enforce (wall clock, host-call count, abort, a dying child). Resolves with the
 * result as soon as it is known; the child is handed back only when it confirms the isolate is
 * gone, or killed when it does not within `cancelGraceMs`.
 */
export function runOnWorker(options: RunSessionOptions): Promise<SandboxRunResult> {
  const { worker, runId, run, limits, logger } = options;
  const { host, signal } = run;
  const startedAt = performance.now();
  const logs: SandboxLogEntry[] = [];
  const hostController = new AbortController();
  let hostCalls = 0;
  let settled = false;
  let freed = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let resolveResult!: (result: SandboxRunResult) => void;
  const result = new Promise<SandboxRunResult>((resolve) => {
    resolveResult = resolve;
  });

  const stats = (extra?: Partial<SandboxStats>): SandboxStats => ({
    wallMs: Math.round((performance.now() - startedAt) * 100) / 100,
    hostCalls,
    ...extra,
  });
  const finish = (outcome: SandboxRunResult): void => {
    if (settled) return;
    settled = true;
    clearTimeout(wallTimer);
    signal?.removeEventListener('abort', onAbort);
    hostController.abort();
    resolveResult(outcome);
  };
  const fail = (
    kind: SandboxErrorKind,
    message: string,
    stack?: string,
    extra?: Partial<SandboxStats>,
  ): void => {
    const error = stack === undefined ? { kind, message } : { kind, message, stack };
    finish({ ok: false, error, logs: [...logs], stats: stats(extra) });
  };
  const free = (state: 'reuse' | 'discard' | 'gone'): void => {
    if (freed) return;
    freed = true;
    clearTimeout(graceTimer);
    worker.onMessage = () => {};
    stopWatchingExit();
    options.onWorkerFree(state);
  };
  const cancel = (reason: 'timeout' | 'aborted'): void => {
    if (freed || graceTimer) return;
    worker.send({ type: 'cancel', runId, reason });
    graceTimer = setTimeout(() => {
      logger.warn('isolate process did not stop a run in time; killing it', { pid: worker.pid, runId });
      free('discard');
    }, options.cancelGraceMs);
  };

  const reply = (
    callId: number,
    outcome: { ok: true; json: string } | { ok: false; message: string },
  ): void => {
    if (!settled) worker.send({ type: 'reply', runId, callId, ...outcome });
  };
  const serveCall = (callId: number, json: string): void => {
    if (settled) return;
    hostCalls += 1;
    if (hostCalls > limits.maxHostCalls) {
      fail(
        'too-many-calls',
        `${PREFIX} The code made more than ${limits.maxHostCalls} host calls (page, files, ai). Check for a loop that never ends, or raise limits.maxHostCalls.`,
      );
      cancel('aborted');
      return;
    }
    const check = parseHostCall(json);
    if (!check.ok) {
      reply(callId, { ok: false, message: check.message });
      return;
    }
    Promise.resolve()
      .then(() => host.call(check.request, { signal: hostController.signal }))
      .then(
        (value: JsonValue) => {
          let resultJson: string | undefined;
          try {
            resultJson = JSON.stringify(value ?? null);
          } catch {
            resultJson = undefined;
          }
          if (resultJson === undefined)
            reply(callId, { ok: false, message: `${PREFIX} The host returned a value that is not JSON.` });
          else if (
            resultJson.length > limits.maxReplyBytes / 3 &&
            Buffer.byteLength(resultJson) > limits.maxReplyBytes
          )
            reply(callId, {
              ok: false,
              message: replyTooLarge(check.request, resultJson, limits.maxReplyBytes),
            });
          else reply(callId, { ok: true, json: resultJson });
        },
        (error: unknown) => reply(callId, { ok: false, message: hostErrorMessage(error) }),
      );
  };
  const record = (level: SandboxLogEntry['level'], message: string): void => {
    if (settled || logs.length >= limits.maxLogEntries) return;
    const entry: SandboxLogEntry = { level, message, atMs: Math.round(performance.now() - startedAt) };
    logs.push(entry);
    try {
      host.onLog?.(entry);
    } catch (error) {
      logger.warn('host.onLog threw', { error: String(error) });
    }
  };
  const complete = (message: Extract<ChildMessage, { type: 'done' }>): void => {
    const extra: Partial<SandboxStats> = {};
    if (message.cpuMs !== undefined) extra.cpuMs = Math.round(message.cpuMs * 100) / 100;
    if (message.heapBytes !== undefined) extra.heapBytes = message.heapBytes;
    settleFromChild(message.outcome, extra);
  };
  const settleFromChild = (outcome: ChildOutcome, extra: Partial<SandboxStats>): void => {
    if (!outcome.ok) {
      fail(outcome.kind, describeFailure(outcome, limits), outcome.stack, extra);
      return;
    }
    const bytes = Buffer.byteLength(outcome.json);
    if (bytes > limits.maxOutputBytes) {
      fail('output-too-large', outputTooLarge(bytes, limits.maxOutputBytes), undefined, extra);
      return;
    }
    let output: JsonValue;
    try {
      output = JSON.parse(outcome.json) as JsonValue;
    } catch {
      fail('invalid-output', `${PREFIX} The output is not JSON. Return plain data.`, undefined, extra);
      return;
    }
    finish({ ok: true, output, logs: [...logs], stats: stats(extra) });
  };

  worker.onMessage = (message) => {
    if (message.type === 'ready' || message.runId !== runId) return;
    if (message.type === 'call') serveCall(message.callId, message.json);
    else if (message.type === 'log') record(message.level, message.message);
    else if (message.type === 'done') {
      free('reuse');
      if (!settled) complete(message);
    }
  };
  const stopWatchingExit = worker.whenExit((exit) => {
    free('gone');
    if (!settled) fail('crashed', crashedMessage(exit));
  });
  const wallTimer = setTimeout(() => {
    fail(
      'timeout',
      `${PREFIX} The run took longer than ${limits.wallTimeoutMs} ms of wall-clock time. Wait for specific elements instead of long sleeps, or raise limits.wallTimeoutMs.`,
    );
    cancel('timeout');
  }, limits.wallTimeoutMs);
  const onAbort = (): void => {
    fail('aborted', `${PREFIX} The run was aborted by its caller.`);
    cancel('aborted');
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  // The output crosses in one frame, escaped at most six characters a byte (`\u0000`).
  worker.maxFrameChars = 6 * limits.maxOutputBytes + 1024 * 1024;
  const childLimits = {
    memoryMb: limits.memoryMb,
    maxConcurrentCalls: limits.maxConcurrentCalls,
    cpuTimeoutMs: limits.cpuTimeoutMs,
    maxOutputBytes: limits.maxOutputBytes,
    maxLogEntries: limits.maxLogEntries,
  };
  if (
    !worker.send({ type: 'run', runId, code: run.code, paramsJson: options.paramsJson, limits: childLimits })
  ) {
    free('discard');
    fail('crashed', `${PREFIX} The code's runtime process was gone before the run started; try again.`);
  }
  return result;
}

function describeFailure(outcome: Extract<ChildOutcome, { ok: false }>, limits: ResolvedLimits): string {
  switch (outcome.kind) {
    case 'timeout':
      return `${PREFIX} The code used more than ${limits.cpuTimeoutMs} ms of CPU time. Look for a loop that never ends, or raise limits.cpuTimeoutMs.`;
    case 'memory':
      return `${PREFIX} The code used more than its memory limit of ${limits.memoryMb} MiB. Keep less data at once, or raise limits.memoryMb.`;
    case 'output-too-large':
      return `${PREFIX} ${outcome.message} Return less data, or store large content with files.download.`;
    case 'too-many-calls':
      return `${PREFIX} ${outcome.message}`;
    default:
      return outcome.message;
  }
}

function outputTooLarge(bytes: number, max: number): string {
  return `${PREFIX} The output is ${bytes} bytes, over the limit of ${max}. Return less data, or store large content with files.download.`;
}

function replyTooLarge(request: HostCall, json: string, max: number): string {
  const what = request.kind === 'page' ? `${request.command.target}.${request.command.op}` : request.kind;
  return `${PREFIX} The reply of ${what} is ${Buffer.byteLength(json)} bytes, over the limit of ${max} (limits.maxReplyBytes): read less at once (a part of the page, fewer items per call), or raise the limit.`;
}

function crashedMessage(exit: WorkerExit): string {
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  return `${PREFIX} The code's runtime crashed (out of memory?) and was restarted (${how}). A Map or object that grows without bound does this: keep less data at once.`;
}

function hostErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_HOST_ERROR_CHARS ? `${message.slice(0, MAX_HOST_ERROR_CHARS)}…` : message;
}
