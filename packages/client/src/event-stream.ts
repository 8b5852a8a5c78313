import type { RunEventEntry, WebTaskResult } from '@webtasks/protocol';
import { createParser } from 'eventsource-parser';
import { linkSignals, retryDelayMs, sleep } from './backoff.js';
import { WebTasksConnectionError } from './errors.js';
import { apiError, type TransportOptions } from './transport.js';

/** What `webTasks.events()` yields: each event in order, then the final result. */
export type TaskStreamItem =
  | { type: 'event'; entry: RunEventEntry }
  | { type: 'result'; result: WebTaskResult };

/** Options of `webTasks.events`. */
export interface EventsOptions {
  /** Skip events up to this sequence number (resume). */
  afterSeq?: number;
  signal?: AbortSignal;
}

/**
 * A task's events over Server-Sent Events: replayed from the start, then live, then the result.
 * A dropped connection is resumed after the last event received (`Last-Event-ID`), with backoff,
 * up to `maxRetries` times in a row.
 */
export async function* streamEvents(
  transport: TransportOptions,
  path: string,
  options: EventsOptions = {},
): AsyncGenerator<TaskStreamItem> {
  let lastSeq = options.afterSeq ?? 0;
  let failures = 0;
  for (;;) {
    const controller = new AbortController();
    const linked = linkSignals([options.signal, controller.signal]);
    const pending: TaskStreamItem[] = [];
    let finished = false;
    const parser = createParser({
      onEvent: (message) => {
        const data = JSON.parse(message.data) as unknown;
        if (message.event === 'result') {
          pending.push({ type: 'result', result: data as WebTaskResult });
          finished = true;
        } else {
          pending.push({ type: 'event', entry: data as RunEventEntry });
        }
      },
    });
    try {
      const response = await transport.fetch(`${transport.baseUrl.replace(/\/+$/, '')}${path}`, {
        headers: {
          ...transport.headers,
          accept: 'text/event-stream',
          'x-api-key': transport.apiKey,
          ...(lastSeq > 0 ? { 'last-event-id': String(lastSeq) } : {}),
        },
        signal: linked.signal,
      });
      if (!response.ok) throw apiError(response, await response.text());
      if (!response.body)
        throw new WebTasksConnectionError('The server answered the event stream without a body.');
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (value) parser.feed(decoder.decode(value, { stream: true }));
        while (pending.length > 0) {
          const item = pending.shift() as TaskStreamItem;
          if (item.type === 'event') {
            if (item.entry.seq <= lastSeq) continue;
            lastSeq = item.entry.seq;
          }
          failures = 0;
          yield item;
          if (item.type === 'result') return;
        }
        if (done) break;
      }
      if (finished) return;
      throw new WebTasksConnectionError('The event stream ended before the result.');
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      // API errors (404, 401, 406) are final; dropped connections are resumed.
      if (!WebTasksConnectionError.isInstance(error) && !(error instanceof TypeError)) throw error;
      failures += 1;
      if (failures > transport.maxRetries) throw error;
      await sleep(retryDelayMs(failures - 1, transport.backoff), options.signal);
    } finally {
      controller.abort();
      linked.dispose();
    }
  }
}
