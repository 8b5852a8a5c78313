import type { RunEventEntry, WebTaskResult } from '@webtasks/protocol';
import { createParser } from 'eventsource-parser';

/** The workspace and key the dashboard calls the API with; kept for the browser tab only. */
export interface Session {
  workspaceId: string;
  apiKey: string;
}

const SESSION_KEY = 'webtasks.dashboard.session';

export function loadSession(): Session | undefined {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    return parsed && typeof parsed.workspaceId === 'string' && typeof parsed.apiKey === 'string'
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/** An error answer of the API (or no answer at all: `status` 0, code `network`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** The API's root: the dashboard lives at `<root>/ui`, so a path prefix of a proxy is kept. */
export function apiRoot(): string {
  return location.pathname.replace(/\/ui\/?$/, '');
}

function workspaceUrl(session: Session, path: string): string {
  return `${apiRoot()}/${encodeURIComponent(session.workspaceId)}${path}`;
}

async function send(
  session: Session,
  method: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(workspaceUrl(session, path), {
      ...init,
      method,
      headers: { 'x-api-key': session.apiKey, ...(init.headers as Record<string, string> | undefined) },
      cache: 'no-store',
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(
      0,
      'network',
      `Cannot reach the webtasks server at ${location.origin}: ${(error as Error).message}`,
    );
  }
  if (!response.ok) {
    let code = 'http-error';
    let message = `The server answered ${response.status} ${response.statusText}.`;
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      // Not JSON (a proxy's page): keep the status line.
    }
    throw new ApiError(response.status, code, message);
  }
  return response;
}

/** Call a JSON route of the session's workspace. */
export async function api<T>(
  session: Session,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: { body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const response = await send(session, method, path, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.body === undefined
      ? {}
      : { body: JSON.stringify(options.body), headers: { 'content-type': 'application/json' } }),
  });
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** Fetch a route as a file and hand it to the browser as a download (routes need the key header). */
export async function download(session: Session, path: string, fallbackName: string): Promise<void> {
  const response = await send(session, 'GET', path);
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface EventStreamHandlers {
  onEvent(entry: RunEventEntry): void;
  onResult(result: WebTaskResult): void;
  /** The stream (re)connected or dropped; `error` is set when it failed. */
  onState(state: 'live' | 'reconnecting' | 'ended', error?: ApiError): void;
}

/**
 * Follow `GET …/events` (Server-Sent Events). `EventSource` cannot send the key header, so the
 * stream is read with fetch; a dropped connection resumes after the last event seen.
 */
export async function followEvents(
  session: Session,
  webTaskId: string,
  handlers: EventStreamHandlers,
  signal: AbortSignal,
): Promise<void> {
  let lastSeq: number | undefined;
  let done = false;
  while (!done && !signal.aborted) {
    try {
      const query = lastSeq === undefined ? '' : `?afterSeq=${lastSeq}`;
      const response = await send(
        session,
        'GET',
        `/web-tasks/${encodeURIComponent(webTaskId)}/events${query}`,
        {
          headers: { accept: 'text/event-stream' },
          signal,
        },
      );
      handlers.onState('live');
      const parser = createParser({
        onEvent(message) {
          const data = JSON.parse(message.data) as unknown;
          if (message.event === 'result') {
            done = true;
            handlers.onResult(data as WebTaskResult);
          } else {
            const entry = data as RunEventEntry;
            lastSeq = entry.seq;
            handlers.onEvent(entry);
          }
        },
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        handlers.onState('ended', error);
        return;
      }
    }
    if (!done && !signal.aborted) {
      handlers.onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  if (done) handlers.onState('ended');
}
