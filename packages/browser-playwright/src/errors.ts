import { WebTasksError } from '@webtasks/core';

/** Prefix of every message of this adapter. */
export const PREFIX = '[webtasks:browser-playwright]';

/** A malformed command (generated code is untrusted: say exactly what was wrong). */
export function invalidRequest(message: string, details?: unknown): WebTasksError {
  return new WebTasksError({ code: 'invalid-request', message: `${PREFIX} ${message}`, details });
}

/** The browser process is gone. */
export function browserCrashed(cause?: unknown): WebTasksError {
  return new WebTasksError({
    code: 'browser-crashed',
    message: `${PREFIX} the browser crashed or was closed; open a new session (the provider relaunches the browser)`,
    cause,
    retryable: true,
  });
}

const MAX_MESSAGE = 700;

/**
 * Playwright's message made short for a model: the first line plus the first lines of the
 * call log (which say what was being waited for), without ANSI colours or stack traces.
 */
export function shortPlaywrightMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strip ANSI colour codes
  const clean = raw.replace(/\u001b\[[0-9;]*m/g, '');
  const lines = clean.split('\n').map((line) => line.trimEnd());
  const [first = '', ...rest] = lines;
  const callLogAt = rest.findIndex((line) => line.trim() === 'Call log:');
  const kept = [first.replace(/^(\w+\.)?\w+: /, '')];
  if (callLogAt >= 0)
    kept.push(
      ...rest
        .slice(callLogAt + 1, callLogAt + 4)
        .filter((l) => l.trim().startsWith('-'))
        .map((l) => l.trim()),
    );
  else kept.push(...rest.filter((l) => l.trim() !== '' && !/^\s+at /.test(l)).slice(0, 3));
  const message = kept.join('\n');
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}

/** A failed page command, with Playwright's message (e.g. a locator timeout). */
export function pageError(what: string, error: unknown): WebTasksError {
  const timeout = error instanceof Error && error.name === 'TimeoutError';
  return new WebTasksError({
    code: 'page-error',
    message: `${PREFIX} ${what} failed: ${shortPlaywrightMessage(error)}`,
    cause: error,
    retryable: timeout,
  });
}

/** True when Playwright says the page, context or browser is gone. */
export function isClosedError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Target page, context or browser has been closed|Browser has been closed|Target closed|browser has disconnected|Page crashed|Target crashed/i.test(
    message,
  );
}

const NET_ERRORS: Array<[RegExp, string]> = [
  [/ECONNREFUSED/, 'ERR_CONNECTION_REFUSED'],
  [/does not resolve/, 'ERR_NAME_NOT_RESOLVED'],
  [/EHOSTUNREACH|ENETUNREACH/, 'ERR_ADDRESS_UNREACHABLE'],
  [/ECONNRESET|dropped/, 'ERR_CONNECTION_RESET'],
  [/ETIMEDOUT|no answer within/, 'ERR_CONNECTION_TIMED_OUT'],
];

/**
 * The egress proxy could not reach a destination and answered 502: the `page-error` a
 * navigation gets, named as Chromium names the failure when it connects by itself.
 */
export function unreachable(url: string, encodedReason: string | undefined): WebTasksError {
  let reason = 'the destination could not be reached';
  try {
    if (encodedReason) reason = decodeURIComponent(encodedReason);
  } catch {}
  const name = NET_ERRORS.find(([pattern]) => pattern.test(reason))?.[1] ?? 'ERR_FAILED';
  return new WebTasksError({
    code: 'page-error',
    message: `${PREFIX} navigation failed: net::${name} at ${url} (${reason})`,
  });
}
