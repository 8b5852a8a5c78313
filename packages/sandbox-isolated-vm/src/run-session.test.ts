import { silentLogger } from '@webtasks/core';
import { createRecordingSandboxHost, neverResolve, sandboxTask } from '@webtasks/test-suite';
import { describe, expect, it } from 'vitest';
import type { ChildMessage, ParentMessage } from './child-messages.js';
import type { IsolateWorker, WorkerExit } from './isolate-worker.js';
import { runOnWorker } from './run-session.js';
import { resolveLimits } from './sandbox-options.js';

/** A stand-in for a child process: records what the parent sends, lets the test speak for the child. */
function fakeWorker() {
  const sent: ParentMessage[] = [];
  const exitListeners = new Set<(exit: WorkerExit) => void>();
  const worker = {
    pid: 1,
    keepAlive: () => {},
    onMessage: (_message: ChildMessage) => {},
    send(message: ParentMessage) {
      sent.push(message);
      return true;
    },
    whenExit(listener: (exit: WorkerExit) => void) {
      exitListeners.add(listener);
      return () => exitListeners.delete(listener);
    },
  };
  return {
    worker: worker as unknown as IsolateWorker,
    sent,
    fromChild: (message: ChildMessage) => worker.onMessage(message),
    exit: (exit: WorkerExit) => {
      for (const listener of exitListeners) listener(exit);
    },
  };
}

function start(
  child: ReturnType<typeof fakeWorker>,
  options: {
    host?: ReturnType<typeof createRecordingSandboxHost>;
    signal?: AbortSignal;
    wallTimeoutMs?: number;
  } = {},
) {
  const freed: string[] = [];
  const result = runOnWorker({
    worker: child.worker,
    runId: 7,
    run: {
      code: sandboxTask('return 1;'),
      params: {},
      host: options.host ?? createRecordingSandboxHost(),
      signal: options.signal,
    },
    paramsJson: '{}',
    limits: resolveLimits(
      { wallTimeoutMs: options.wallTimeoutMs ?? 60_000, maxHostCalls: 3, maxOutputBytes: 100 },
      undefined,
    ),
    cancelGraceMs: 50,
    logger: silentLogger,
    onWorkerFree: (state) => freed.push(state),
  });
  return { result, freed };
}

describe('runOnWorker', () => {
  it('ignores messages for other runs and forged outcomes, and checks the output again', async () => {
    const child = fakeWorker();
    const { result, freed } = start(child);
    child.fromChild({ type: 'done', runId: 8, outcome: { ok: true, json: '"other run"' } });
    child.fromChild({ type: 'log', runId: 8, level: 'info', message: 'other run' });
    child.fromChild({ type: 'done', runId: 7, outcome: { ok: true, json: JSON.stringify('x'.repeat(200)) } });
    const outcome = await result;
    expect(outcome.ok ? 'ok' : outcome.error.kind).toBe('output-too-large');
    expect(outcome.logs).toEqual([]);
    expect(freed).toEqual(['reuse']);
  });

  it('answers host calls that are not JSON with an error and counts every call', async () => {
    const host = createRecordingSandboxHost(() => 'T');
    const child = fakeWorker();
    const { result } = start(child, { host });
    child.fromChild({ type: 'call', runId: 7, callId: 1, json: '{"kind":"shell",' });
    child.fromChild({
      type: 'call',
      runId: 7,
      callId: 2,
      json: '{"kind":"page","command":{"target":"page","op":"title","args":[]}}',
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(child.sent.filter((m) => m.type === 'reply')).toEqual([
      {
        type: 'reply',
        runId: 7,
        callId: 1,
        ok: false,
        message: expect.stringContaining('Malformed host call'),
      },
      { type: 'reply', runId: 7, callId: 2, ok: true, json: '"T"' },
    ]);
    expect(host.calls).toHaveLength(1);
    child.fromChild({ type: 'call', runId: 7, callId: 3, json: '{}' });
    child.fromChild({ type: 'call', runId: 7, callId: 4, json: '{}' });
    const outcome = await result;
    expect(outcome.ok ? 'ok' : outcome.error.kind).toBe('too-many-calls');
    expect(outcome.stats.hostCalls).toBe(4);
    expect(child.sent.at(-1)).toEqual({ type: 'cancel', runId: 7, reason: 'aborted' });
  });

  it('kills a child that does not confirm a cancel within the grace period', async () => {
    const child = fakeWorker();
    const { result, freed } = start(child, {
      host: createRecordingSandboxHost(neverResolve),
      wallTimeoutMs: 30,
    });
    const outcome = await result;
    expect(outcome.ok ? 'ok' : outcome.error.kind).toBe('timeout');
    expect(child.sent.at(-1)).toEqual({ type: 'cancel', runId: 7, reason: 'timeout' });
    expect(freed).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(freed).toEqual(['discard']);
  });

  it('ends the run as crashed when the child dies, and aborts the host calls in flight', async () => {
    const host = createRecordingSandboxHost(neverResolve);
    const child = fakeWorker();
    const { result, freed } = start(child, { host });
    child.fromChild({
      type: 'call',
      runId: 7,
      callId: 1,
      json: '{"kind":"page","command":{"target":"page","op":"title","args":[]}}',
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    child.exit({ code: null, signal: 'SIGABRT', stderr: 'FATAL ERROR: heap out of memory' });
    const outcome = await result;
    expect(outcome.ok ? undefined : outcome.error.message).toMatch(/crashed \(out of memory\?\).*SIGABRT/);
    expect(freed).toEqual(['gone']);
    expect(host.signals[0]?.aborted).toBe(true);
  });
});
