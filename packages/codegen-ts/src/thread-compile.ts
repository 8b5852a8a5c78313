import { Worker } from 'node:worker_threads';
import { type CompileResult, WebTasksError } from '@webtasks/core';
import { internalFailure, type LocalCompile } from './local-compile.js';
import type { CompilerJob, CompilerReply, CompilerRequest, CompilerWorkerData } from './thread-messages.js';

/** A reply, or why none will come: the thread died or was stopped first. */
type Outcome = CompilerReply | { lost: string };

/**
 * Compiles on a worker thread started on the first request. The thread holds the process
 * open only while a request waits for it; if it dies (out of memory on a hostile source, a
 * crash), the requests it held fail and the next one starts a fresh thread.
 */
export function createThreadCompile(
  url: URL,
  data: CompilerWorkerData,
): LocalCompile & { close(): Promise<void> } {
  let worker: Worker | undefined;
  let nextId = 1;
  const waiting = new Map<number, (outcome: Outcome) => void>();

  const failAll = (reason: string): void => {
    const failed = [...waiting.values()];
    waiting.clear();
    for (const settle of failed) settle({ lost: reason });
  };

  const start = (): Worker => {
    // No inherited flags: process-wide ones (such as --no-node-snapshot) are refused by threads.
    const created = new Worker(url, { workerData: data, execArgv: [] });
    created.unref();
    created.on('message', (reply: CompilerReply) => {
      const settle = waiting.get(reply.id);
      if (!settle) return;
      waiting.delete(reply.id);
      if (waiting.size === 0) created.unref();
      settle(reply);
    });
    const gone = (reason: string): void => {
      if (worker !== created) return;
      worker = undefined;
      failAll(reason);
    };
    created.on('error', (error) => gone(`its thread failed: ${error.message}`));
    created.on('exit', (code) => gone(`its thread exited with code ${code}`));
    return created;
  };

  const request = (job: CompilerJob): Promise<Outcome> =>
    new Promise<Outcome>((resolve) => {
      const id = nextId++;
      worker ??= start();
      waiting.set(id, resolve);
      worker.ref();
      const message: CompilerRequest = { id, ...job };
      worker.postMessage(message);
    });

  /** The reply's result, or its error thrown as the `WebTasksError` it was on the thread. */
  const unwrap = (reply: CompilerReply): CompileResult | undefined => {
    if (reply.error) throw new WebTasksError({ code: reply.error.code, message: reply.error.message });
    return reply.result;
  };

  return {
    async compile(source) {
      const outcome = await request({ type: 'compile', source });
      if ('lost' in outcome) return internalFailure(outcome.lost);
      return unwrap(outcome) ?? internalFailure('the compiler thread sent no result');
    },
    async warmUp() {
      const outcome = await request({ type: 'warm-up' });
      if ('lost' in outcome) {
        throw new WebTasksError({
          code: 'internal-error',
          message: `[webtasks:codegen-ts] The compiler could not warm up (${outcome.lost}).`,
        });
      }
      unwrap(outcome);
    },
    async close() {
      const current = worker;
      worker = undefined;
      failAll('the compiler was closed');
      await current?.terminate();
    },
  };
}
