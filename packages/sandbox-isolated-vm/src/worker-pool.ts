import { type Logger, WebTasksError } from '@webtasks/core';
import { IsolateWorker } from './isolate-worker.js';

/** Options of the pool of isolate processes. */
export interface WorkerPoolOptions {
  size: number;
  prelude: string;
  logger: Logger;
  startTimeoutMs: number;
}

interface Waiter {
  resolve(worker: IsolateWorker): void;
  reject(error: unknown): void;
}

/**
 * Up to `size` child processes, each running one run at a time. Children start on demand; one
 * that dies (a fatal V8 out-of-memory, a kill after a stuck cancel) is replaced at once so the
 * pool stays warm. Waiters are served first in, first out.
 */
export class WorkerPool {
  private readonly idle: IsolateWorker[] = [];
  private readonly workers = new Set<IsolateWorker>();
  private readonly waiters: Waiter[] = [];
  private starting = 0;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  /** Take an idle worker, or wait for one. Rejects when the pool closes or cannot start a child. */
  acquire(signal?: AbortSignal): Promise<IsolateWorker> {
    if (this.closed) return Promise.reject(closedError());
    const worker = this.takeIdle();
    if (worker) return Promise.resolve(worker);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (w) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(w);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.grow();
    });
  }

  /** Give back a worker whose child finished its run. */
  release(worker: IsolateWorker): void {
    if (!worker.alive || this.closed) {
      if (this.closed) worker.kill();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(worker);
    else this.idle.push(worker);
  }

  /** Kill a worker that cannot be trusted any more (stuck, or its run left it in a bad state). */
  discard(worker: IsolateWorker): void {
    worker.kill();
  }

  /** Number of live child processes (for tests and metrics). */
  get size(): number {
    return this.workers.size;
  }

  /** Start a child now, so the first run does not pay for it. */
  warm(): Promise<void> {
    if (this.workers.size + this.starting >= this.options.size) return Promise.resolve();
    return this.spawn().then(() => {});
  }

  /** Kill every child and reject waiters. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(closedError());
    const exits = [...this.workers].map(
      (worker) =>
        new Promise<void>((resolve) => (worker.alive ? worker.whenExit(() => resolve()) : resolve())),
    );
    for (const worker of this.workers) worker.kill();
    this.idle.length = 0;
    // The timer is not unref'd: the children and their channels are, so without a ref'd handle
    // a process with nothing else to do would exit here, before close() resolves (a CLI whose
    // run failed before Chromium started then exited 0 instead of its exit code).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(exits),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 2000);
      }),
    ]);
    clearTimeout(timer);
  }

  private takeIdle(): IsolateWorker | undefined {
    while (this.idle.length > 0) {
      const worker = this.idle.pop()!;
      if (worker.alive) return worker;
    }
    return undefined;
  }

  private grow(): void {
    while (
      !this.closed &&
      this.waiters.length > this.starting &&
      this.workers.size + this.starting < this.options.size
    ) {
      this.spawn().catch(() => {});
    }
  }

  private async spawn(): Promise<IsolateWorker | undefined> {
    this.starting += 1;
    let worker: IsolateWorker;
    try {
      worker = await IsolateWorker.start(this.options);
    } catch (error) {
      this.starting -= 1;
      this.options.logger.error('could not start an isolate process', { error: String(error) });
      const waiter = this.waiters.shift();
      waiter?.reject(
        new WebTasksError({
          code: 'sandbox-crashed',
          message: `[webtasks:sandbox-isolated-vm] Could not start an isolate process: ${(error as Error).message}`,
          cause: error,
          retryable: true,
        }),
      );
      throw error;
    }
    this.starting -= 1;
    if (this.closed) {
      worker.kill();
      return undefined;
    }
    this.workers.add(worker);
    this.options.logger.debug('isolate process started', { pid: worker.pid });
    worker.whenExit((exit) => {
      this.workers.delete(worker);
      const index = this.idle.indexOf(worker);
      if (index >= 0) this.idle.splice(index, 1);
      if (this.closed) return;
      this.options.logger.warn('isolate process exited; starting a replacement', {
        pid: worker.pid,
        code: exit.code,
        signal: exit.signal,
      });
      this.spawn().catch(() => {});
    });
    this.release(worker);
    return worker;
  }
}

function closedError(): WebTasksError {
  return new WebTasksError({
    code: 'internal-error',
    message: '[webtasks:sandbox-isolated-vm] The sandbox is closed; create a new one to run more code.',
  });
}
