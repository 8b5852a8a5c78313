import {
  RUNTIME_PRELUDE,
  type Sandbox,
  type SandboxRunOptions,
  type SandboxRunResult,
  silentLogger,
  WebTasksError,
} from '@webtasks/core';
import { runOnWorker } from './run-session.js';
import { type IsolatedVmSandboxOptions, resolveLimits } from './sandbox-options.js';
import { WorkerPool } from './worker-pool.js';

const PREFIX = '[webtasks:sandbox-isolated-vm]';

/** The isolated-vm sandbox, with a view of its pool for tests and metrics. */
export interface IsolatedVmSandbox extends Sandbox {
  /** Number of live child processes. */
  readonly workerCount: number;
}

/**
 * A `Sandbox` that runs each task in a fresh V8 isolate (isolated-vm) inside a pool of supervised
 * child processes. A V8 fatal out-of-memory (a Map or object grown without bound) kills only its
 * child: that run ends as `crashed`, the pool starts a replacement, other runs go on.
 *
 * @example
 * const sandbox = createIsolatedVmSandbox({ workers: 4, defaultLimits: { memoryMb: 256 } });
 * const result = await sandbox.run({ code, params: { city: 'Lyon' }, host });
 * await sandbox.close();
 */
export function createIsolatedVmSandbox(options: IsolatedVmSandboxOptions = {}): IsolatedVmSandbox {
  const logger = options.logger ?? silentLogger;
  const workers = Math.max(1, Math.floor(options.workers ?? 2));
  const pool = new WorkerPool({
    size: workers,
    prelude: RUNTIME_PRELUDE,
    logger,
    startTimeoutMs: options.startTimeoutMs ?? 10_000,
  });
  const cancelGraceMs = options.cancelGraceMs ?? 2_000;
  let nextRunId = 1;
  if (options.warm) pool.warm().catch(() => {});

  async function run(runOptions: SandboxRunOptions): Promise<SandboxRunResult> {
    const limits = resolveLimits(options.defaultLimits, runOptions.limits);
    const { signal } = runOptions;
    if (typeof runOptions.code !== 'string') {
      return failed('invalid-code', `${PREFIX} The code must be a string of JavaScript.`);
    }
    let paramsJson: string;
    try {
      paramsJson = JSON.stringify(runOptions.params ?? {});
    } catch (error) {
      throw new WebTasksError({
        code: 'invalid-request',
        message: `${PREFIX} The params are not JSON (${(error as Error).message}); pass plain data.`,
        cause: error,
      });
    }
    if (signal?.aborted) return failed('aborted', `${PREFIX} The run was aborted before it started.`);
    let worker: Awaited<ReturnType<WorkerPool['acquire']>>;
    try {
      worker = await pool.acquire(signal);
    } catch (error) {
      if (signal?.aborted)
        return failed('aborted', `${PREFIX} The run was aborted while waiting for a free worker.`);
      throw error;
    }
    return runOnWorker({
      worker,
      runId: nextRunId++,
      run: runOptions,
      paramsJson,
      limits,
      cancelGraceMs,
      logger,
      onWorkerFree: (state) => {
        if (state === 'reuse') pool.release(worker);
        else if (state === 'discard') pool.discard(worker);
      },
    });
  }

  return {
    specificationVersion: 'v1',
    capabilities: { isolation: true, crashContainment: true },
    run,
    close: () => pool.close(),
    get workerCount() {
      return pool.size;
    },
  };
}

function failed(kind: 'aborted' | 'invalid-code', message: string): SandboxRunResult {
  return { ok: false, error: { kind, message }, logs: [], stats: { wallMs: 0, hostCalls: 0 } };
}
