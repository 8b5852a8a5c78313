import type {
  CompletedWebTaskResult,
  RunEventEntry,
  RunRecord,
  StartRequest,
  StartResponse,
  TaskList,
  TaskListQuery,
  WebTaskResult,
} from '@webtasks/protocol';
import { linkSignals, sleep } from './backoff.js';
import { WebTasksApiError, WebTasksTimeoutError } from './errors.js';
import { type EventsOptions, streamEvents, type TaskStreamItem } from './event-stream.js';
import { sendRequest, type TransportOptions } from './transport.js';

/** The header with which a server advertises long-polling (its maximum `waitSeconds`). */
export const MAX_WAIT_HEADER = 'x-webtasks-max-wait-seconds';

/** Options of `webTasks.result`. */
export interface ResultOptions {
  /** Long-poll: let the server hold the request until the task completes or this many seconds pass. */
  waitSeconds?: number;
  signal?: AbortSignal;
}

/** Options of `webTasks.run`. */
export interface RunOptions {
  /** Pause between polls when the server does not long-poll. Default 5000 ms. */
  pollIntervalMs?: number;
  /** Give up (with `WebTasksTimeoutError`) when the task has not completed after this long. No limit by default. */
  timeoutMs?: number;
  /** Abort waiting (the task keeps running on the server). Rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called with the result object whenever the task's status changes (pending → started → completed). */
  onStatus?: (result: WebTaskResult) => void;
  /**
   * Called with every event of the task as it happens (phases, attempts, agent steps, logs,
   * model calls, saves), fed by the server's event stream. With it, `run` follows the stream
   * instead of polling, and falls back to polling when the server has no event stream.
   */
  onEvent?: (entry: RunEventEntry) => void;
}

/** `client.webTasks`: start tasks and read their results. */
export class WebTasks {
  readonly #transport: TransportOptions;
  readonly #workspacePath: string;
  /** What the server told us about long-polling: its maximum wait, 0 when it does not long-poll. */
  #serverMaxWaitSeconds: number | undefined;

  constructor(transport: TransportOptions, workspaceId: string) {
    this.#transport = transport;
    this.#workspacePath = `/${encodeURIComponent(workspaceId)}/web-tasks`;
  }

  /**
   * Start a task; resolves with its id once the server accepted it (202). Retried only when
   * the server certainly created nothing (429, connection refused), so a retry cannot start
   * the task twice; other failures reject and the caller decides.
   */
  async start(request: StartRequest, options: { signal?: AbortSignal } = {}): Promise<StartResponse> {
    const response = await sendRequest<StartResponse>(this.#transport, {
      method: 'POST',
      path: `${this.#workspacePath}/start`,
      body: request,
      retry: 'not-accepted',
      signal: options.signal,
    });
    return response.data;
  }

  /** The task in its current state (or, with `waitSeconds`, once it completes or the time passes). */
  async result(webTaskId: string, options: ResultOptions = {}): Promise<WebTaskResult> {
    return (await this.#fetchResult(webTaskId, options)).result;
  }

  /**
   * Start a task and wait for it to complete. Long-polls when the server supports it, so it
   * returns as soon as the task completes; otherwise polls every `pollIntervalMs`. Resolves
   * with the completed result (whether its outcome is `success` or `failed`).
   */
  async run(request: StartRequest, options: RunOptions = {}): Promise<CompletedWebTaskResult> {
    const deadline =
      options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    const timeoutController = new AbortController();
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => timeoutController.abort(TIMED_OUT), Math.max(0, options.timeoutMs));
    const linked = linkSignals([options.signal, timeoutController.signal]);
    let webTaskId: string | undefined;
    let last: WebTaskResult | undefined;
    try {
      const started = await this.start(request, { signal: linked.signal });
      webTaskId = started.webTaskId;
      if (options.onEvent) {
        const streamed = await this.#followEvents(started, options, linked.signal);
        if (streamed) return streamed;
      }
      const pollIntervalMs = options.pollIntervalMs ?? 5_000;
      for (;;) {
        const remainingSeconds = (deadline - Date.now()) / 1000;
        const longPoll = this.#serverMaxWaitSeconds !== 0;
        const waitSeconds = longPoll
          ? Math.max(
              0,
              Math.min(this.#serverMaxWaitSeconds ?? 60, Math.floor(remainingSeconds * 1000) / 1000),
            )
          : 0;
        const began = Date.now();
        const { result } = await this.#fetchResult(webTaskId, { waitSeconds, signal: linked.signal });
        if (result.status !== last?.status) options.onStatus?.(result);
        last = result;
        if (result.status === 'completed') return result;
        const answeredEarly = Date.now() - began < (waitSeconds * 1000) / 2;
        if (this.#serverMaxWaitSeconds === 0 || answeredEarly) {
          // No long-poll (or the server let go early, e.g. restarting): wait before asking again.
          await sleep(
            this.#serverMaxWaitSeconds === 0 ? pollIntervalMs : Math.min(pollIntervalMs, 1_000),
            linked.signal,
          );
        }
      }
    } catch (error) {
      if (timeoutController.signal.aborted && !options.signal?.aborted) {
        throw new WebTasksTimeoutError({
          message: `The task ${webTaskId ?? '(not started)'} did not complete within ${options.timeoutMs} ms; it keeps running on the server: read it later with webTasks.result(webTaskId).`,
          timeoutMs: options.timeoutMs ?? 0,
          webTaskId,
          lastResult: last,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
      linked.dispose();
    }
  }

  /** One page of the workspace's tasks, newest first; pass `nextCursor` back as `cursor` for the next. */
  async list(query: TaskListQuery = {}, options: { signal?: AbortSignal } = {}): Promise<TaskList> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) params.set(name, String(value));
    const suffix = params.size > 0 ? `?${params}` : '';
    return (
      await sendRequest<TaskList>(this.#transport, {
        method: 'GET',
        path: `${this.#workspacePath}${suffix}`,
        retry: 'idempotent',
        signal: options.signal,
      })
    ).data;
  }

  /** The run record: phases, attempts with evidence, logs, model calls, agent steps, artifacts (with signed URLs). */
  async record(webTaskId: string, options: { signal?: AbortSignal } = {}): Promise<RunRecord> {
    return (
      await sendRequest<RunRecord>(this.#transport, {
        method: 'GET',
        path: `${this.#taskPath(webTaskId)}/record`,
        retry: 'idempotent',
        signal: options.signal,
      })
    ).data;
  }

  /** The task's events from the start (or after `afterSeq`), live ones, then its result. */
  events(webTaskId: string, options: EventsOptions = {}): AsyncIterable<TaskStreamItem> {
    return streamEvents(this.#transport, `${this.#taskPath(webTaskId)}/events`, options);
  }

  /**
   * Cancel a task: a pending one completes at once as failed with code `canceled`, a started
   * one is aborted within seconds. Rejects with a 409 `conflict` when it already completed.
   */
  async cancel(webTaskId: string, options: { signal?: AbortSignal } = {}): Promise<CompletedWebTaskResult> {
    return (
      await sendRequest<CompletedWebTaskResult>(this.#transport, {
        method: 'POST',
        path: `${this.#taskPath(webTaskId)}/cancel`,
        retry: 'idempotent',
        signal: options.signal,
      })
    ).data;
  }

  #taskPath(webTaskId: string): string {
    if (typeof webTaskId !== 'string' || webTaskId === '') {
      throw new TypeError('webTaskId must be the non-empty id that start() returned.');
    }
    return `${this.#workspacePath}/${encodeURIComponent(webTaskId)}`;
  }

  /** Follow the event stream to the result; undefined when the server has none (then poll). */
  async #followEvents(
    started: StartResponse,
    options: RunOptions,
    signal: AbortSignal,
  ): Promise<CompletedWebTaskResult | undefined> {
    const { webTaskId, reuseKey } = started;
    let status: string | undefined;
    try {
      for await (const item of this.events(webTaskId, { signal })) {
        if (item.type === 'result') {
          if (item.result.status !== 'completed') return undefined;
          if (status !== 'completed') options.onStatus?.(item.result);
          return item.result;
        }
        options.onEvent?.(item.entry);
        const event = item.entry.event as { type: string; status?: string };
        if (
          event.type === 'status' &&
          (event.status === 'pending' || event.status === 'started') &&
          event.status !== status
        ) {
          status = event.status;
          // Before completion the result object is just the status and the unset reuse flags.
          options.onStatus?.({
            webTaskId,
            status: event.status,
            reuse: { key: reuseKey, used: false, created: false, updated: false },
          });
        }
      }
    } catch (error) {
      // An older server without the event stream: poll instead.
      if (
        WebTasksApiError.isInstance(error) &&
        (error.status === 404 || error.status === 406) &&
        error.code !== 'not-found'
      )
        return undefined;
      throw error;
    }
    return undefined;
  }

  async #fetchResult(webTaskId: string, options: ResultOptions): Promise<{ result: WebTaskResult }> {
    if (typeof webTaskId !== 'string' || webTaskId === '') {
      throw new TypeError('webTaskId must be the non-empty id that start() returned.');
    }
    const waitSeconds = options.waitSeconds ?? 0;
    if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
      throw new TypeError('waitSeconds must be a non-negative number of seconds.');
    }
    const path = `${this.#workspacePath}/${encodeURIComponent(webTaskId)}/result`;
    const query = waitSeconds > 0 ? `?waitSeconds=${Math.round(waitSeconds * 1000) / 1000}` : '';
    try {
      const response = await sendRequest<WebTaskResult>(this.#transport, {
        method: 'GET',
        path: `${path}${query}`,
        retry: 'idempotent',
        signal: options.signal,
        extraTimeoutMs: waitSeconds * 1000,
      });
      const advertised = Number(response.headers.get(MAX_WAIT_HEADER));
      this.#serverMaxWaitSeconds = Number.isFinite(advertised) && advertised > 0 ? advertised : 0;
      return { result: response.data };
    } catch (error) {
      // A server without long-polling may refuse the unknown parameter: ask again without it.
      if (query !== '' && WebTasksApiError.isInstance(error) && error.status === 400) {
        this.#serverMaxWaitSeconds = 0;
        return this.#fetchResult(webTaskId, { signal: options.signal });
      }
      throw error;
    }
  }
}

const TIMED_OUT = Symbol('run-timeout');
