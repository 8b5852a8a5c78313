import { type TaskEvent, type WebTasksEngine, WebTasksError } from '@webtasks/core';
import type { StartRequest, WebTaskResult } from '@webtasks/protocol';
import { progressMessage } from './progress.js';

/** What a tool call hands to `runTask`: the SDK's request context, narrowed. */
export interface CallContext {
  /** Fires when the client cancels the call (`notifications/cancelled`) or the connection closes. */
  signal: AbortSignal;
  /** The client's progress token, when it asked for progress. */
  progressToken?: string | number;
  /** Send a notification tied to this request. */
  sendProgress(params: { progressToken: string | number; progress: number; message: string }): Promise<void>;
}

/**
 * Start a task and wait for it, sending a progress notification for every event worth one.
 * When the client cancels the call, the task is cancelled too (nothing is saved).
 */
export async function runTask(options: {
  engine: WebTasksEngine;
  workspaceId: string;
  request: StartRequest;
  timeoutMs: number;
  call: CallContext;
  onCancelFailed?: (error: unknown) => void;
}): Promise<WebTaskResult> {
  const { engine, workspaceId, call } = options;
  let webTaskId: string | undefined;
  let progress = 0;
  const early: TaskEvent[] = [];
  const notify = (event: TaskEvent) => {
    const token = call.progressToken;
    if (token === undefined) return;
    const message = progressMessage(event);
    if (message === undefined) return;
    progress += 1;
    call.sendProgress({ progressToken: token, progress, message }).catch(() => undefined);
  };
  const unsubscribe = engine.subscribe((event) => {
    if (webTaskId === undefined) early.push(event);
    else if (event.webTaskId === webTaskId) notify(event);
  });
  const cancel = () => {
    if (webTaskId === undefined) return;
    engine.cancel({ workspaceId, webTaskId }).catch((error: unknown) => {
      // Completed meanwhile: nothing to stop.
      if (!WebTasksError.hasCode(error, 'conflict')) options.onCancelFailed?.(error);
    });
  };
  try {
    const started = await engine.start({ workspaceId, request: options.request });
    webTaskId = started.webTaskId;
    for (const event of early) if (event.webTaskId === webTaskId) notify(event);
    if (call.signal.aborted) cancel();
    else call.signal.addEventListener('abort', cancel, { once: true });
    return await engine.wait({ workspaceId, webTaskId, timeoutMs: options.timeoutMs, signal: call.signal });
  } finally {
    call.signal.removeEventListener('abort', cancel);
    unsubscribe();
  }
}
