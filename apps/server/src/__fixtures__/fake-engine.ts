import {
  abortedError,
  type TaskEventListener,
  type TaskRecord,
  type WebTasksEngine,
  WebTasksError,
} from '@webtasks/core';
import {
  type StartRequest,
  StartRequestSchema,
  type StartResponse,
  type WebTaskResult,
} from '@webtasks/protocol';

/**
 * An in-memory `WebTasksEngine` for HTTP tests: it accepts tasks and leaves them `pending`
 * until the test calls `markStarted` / `complete` / `fail`. `failNext` makes the next call of a
 * method throw, to exercise the server's error mapping.
 */
export class FakeEngine implements WebTasksEngine {
  readonly tasks = new Map<string, TaskRecord>();
  readonly startCalls: { workspaceId: string; request: StartRequest }[] = [];
  /** Throw this from the next call of the named method. */
  readonly failNext = new Map<'start' | 'result' | 'wait' | 'getTask', unknown>();
  closed: { graceful?: boolean } | undefined;
  #sequence = 0;
  readonly #listeners = new Set<{ listener: TaskEventListener; webTaskId?: string }>();

  async start({
    workspaceId,
    request,
  }: {
    workspaceId: string;
    request: StartRequest;
  }): Promise<StartResponse> {
    this.#maybeFail('start');
    const parsed = StartRequestSchema.safeParse(request);
    if (!parsed.success) {
      throw new WebTasksError({
        code: 'invalid-request',
        message: 'invalid start request',
        details: parsed.error.issues,
      });
    }
    this.startCalls.push({ workspaceId, request });
    this.#sequence += 1;
    const webTaskId = `wt_fake${this.#sequence}_${Math.random().toString(36).slice(2, 8)}`;
    const reuseKey = request.reuseKey ?? `wtr_${webTaskId}`;
    this.tasks.set(webTaskId, {
      webTaskId,
      workspaceId,
      request: {
        task: request.task,
        parameters: (request.parameters ?? {}) as TaskRecord['request']['parameters'],
        reuseKey,
        reuseKeyGenerated: request.reuseKey === undefined,
        model: request.model ?? 'haiku',
      },
      status: 'pending',
      reuse: { key: reuseKey, used: false, created: false, updated: false },
      attempts: 0,
      createdAt: new Date().toISOString(),
    });
    this.#emit(webTaskId, { type: 'status', webTaskId, status: 'pending' });
    return { webTaskId, status: 'pending', reuseKey };
  }

  async result({
    workspaceId,
    webTaskId,
  }: {
    workspaceId: string;
    webTaskId: string;
  }): Promise<WebTaskResult> {
    this.#maybeFail('result');
    return toResult(this.#own(workspaceId, webTaskId));
  }

  async wait(options: {
    workspaceId: string;
    webTaskId: string;
    timeoutMs: number;
    signal?: AbortSignal;
  }): Promise<WebTaskResult> {
    this.#maybeFail('wait');
    const task = this.#own(options.workspaceId, options.webTaskId);
    if (task.status === 'completed') return toResult(task);
    return new Promise<WebTaskResult>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        unsubscribe();
        options.signal?.removeEventListener('abort', onAbort);
        resolve(toResult(this.tasks.get(options.webTaskId)!));
      };
      const onAbort = () => {
        clearTimeout(timer);
        unsubscribe();
        reject(abortedError(options.signal, 'Waiting for the task'));
      };
      const timer = setTimeout(finish, options.timeoutMs);
      const unsubscribe = this.subscribe(
        (event) => {
          if (event.type === 'status' && event.status === 'completed') finish();
        },
        { webTaskId: options.webTaskId },
      );
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async run(): Promise<WebTaskResult> {
    throw new Error('FakeEngine.run is not used by the server');
  }

  subscribe(listener: TaskEventListener, options?: { webTaskId?: string }): () => void {
    const entry = { listener, webTaskId: options?.webTaskId };
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  async getTask({
    workspaceId,
    webTaskId,
  }: {
    workspaceId: string;
    webTaskId: string;
  }): Promise<TaskRecord | undefined> {
    this.#maybeFail('getTask');
    const task = this.tasks.get(webTaskId);
    return task?.workspaceId === workspaceId ? task : undefined;
  }

  async cancel({
    workspaceId,
    webTaskId,
  }: {
    workspaceId: string;
    webTaskId: string;
  }): Promise<WebTaskResult> {
    const task = this.#own(workspaceId, webTaskId);
    if (task.status === 'completed') {
      throw new WebTasksError({ code: 'conflict', message: `Web task ${webTaskId} has already completed.` });
    }
    Object.assign(task, {
      status: 'completed',
      outcome: 'failed',
      error: { code: 'canceled', message: 'The task was canceled before it finished. Nothing was saved.' },
      cost: { aiUsd: 0, compute: { unit: 'hours', amount: 0 } },
    });
    this.#emit(webTaskId, { type: 'status', webTaskId, status: 'completed', outcome: 'failed' });
    return toResult(task);
  }

  async startWorker(): Promise<void> {}

  async close(options?: { graceful?: boolean }): Promise<void> {
    this.closed = options ?? {};
  }

  // The run routes are tested against the real engine (runs-routes.test.ts); this fake only
  // serves start/result tests, so these answer like an engine without runs.
  list: WebTasksEngine['list'] = async () => ({ tasks: [] });
  record: WebTasksEngine['record'] = async ({ workspaceId, webTaskId }) => {
    this.#own(workspaceId, webTaskId);
    throw new WebTasksError({ code: 'not-found', message: 'FakeEngine keeps no run records' });
  };
  events: WebTasksEngine['events'] = async function* () {};
  artifactUrl: WebTasksEngine['artifactUrl'] = async () => {
    throw new WebTasksError({ code: 'not-found', message: 'FakeEngine keeps no artifacts' });
  };
  sweepRuns: WebTasksEngine['sweepRuns'] = async () => 0;

  bundles = new Proxy({} as WebTasksEngine['bundles'], {
    get: () => async () => {
      throw new Error('FakeEngine has no bundles');
    },
  });

  authSessions = new Proxy({} as WebTasksEngine['authSessions'], {
    get: () => async () => {
      throw new Error('FakeEngine has no auth sessions');
    },
  });

  secrets = new Proxy({} as WebTasksEngine['secrets'], {
    get: () => async () => {
      throw new Error('FakeEngine has no secrets');
    },
  });

  /** Move a task to `started`. */
  markStarted(webTaskId: string): void {
    const task = this.tasks.get(webTaskId)!;
    task.status = 'started';
    this.#emit(webTaskId, { type: 'status', webTaskId, status: 'started' });
  }

  /** Complete a task successfully with inline data. */
  complete(webTaskId: string, data: unknown = { ok: true }): void {
    const task = this.tasks.get(webTaskId)!;
    Object.assign(task, {
      status: 'completed',
      outcome: 'success',
      result: { type: 'inline', data },
      reuse: { ...task.reuse, created: true, updated: true },
      cost: { aiUsd: 0.01, compute: { unit: 'hours', amount: 0.001 } },
    });
    this.#emit(webTaskId, { type: 'status', webTaskId, status: 'completed', outcome: 'success' });
  }

  /** Complete a task with a failed outcome. */
  fail(webTaskId: string, message = 'The site refused the request'): void {
    const task = this.tasks.get(webTaskId)!;
    Object.assign(task, {
      status: 'completed',
      outcome: 'failed',
      error: { code: 'rejected', message },
      cost: { aiUsd: 0, compute: { unit: 'hours', amount: 0 } },
    });
    this.#emit(webTaskId, { type: 'status', webTaskId, status: 'completed', outcome: 'failed' });
  }

  #own(workspaceId: string, webTaskId: string): TaskRecord {
    const task = this.tasks.get(webTaskId);
    if (task === undefined || task.workspaceId !== workspaceId) {
      throw new WebTasksError({ code: 'not-found', message: `No task ${webTaskId}` });
    }
    return task;
  }

  #maybeFail(method: 'start' | 'result' | 'wait' | 'getTask'): void {
    if (!this.failNext.has(method)) return;
    const error = this.failNext.get(method);
    this.failNext.delete(method);
    throw error;
  }

  #emit(webTaskId: string, event: Parameters<TaskEventListener>[0]): void {
    for (const { listener, webTaskId: only } of this.#listeners) {
      if (only === undefined || only === webTaskId) listener(event);
    }
  }
}

function toResult(task: TaskRecord): WebTaskResult {
  const base = { webTaskId: task.webTaskId, reuse: task.reuse };
  if (task.status !== 'completed') return { ...base, status: task.status };
  if (task.outcome === 'success') {
    return { ...base, status: 'completed', outcome: 'success', result: task.result!, cost: task.cost! };
  }
  return { ...base, status: 'completed', outcome: 'failed', error: task.error!, cost: task.cost! };
}
