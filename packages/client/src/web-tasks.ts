import type { CompletedWebTaskResult, StartRequest, StartResponse, WebTaskResult } from '@webtasks/protocol';
import { linkSignals, sleep } from './backoff.js';
import { WebTasksApiError, WebTasksTimeoutError } from './errors.js';
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
      webTaskId = (await this.start(request, { signal: linked.signal })).webTaskId;
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
