import { strToU8, unzipSync, zipSync } from 'fflate';
import { WebTasksError } from '../errors.js';
import type { BrowserProvider, BrowserSession, DownloadTrigger, PageCommand } from '../ports/browser.js';
import { type SecretRedactor, sessionPlaceholder } from './redaction.js';

function redactedError(error: unknown, redactor: SecretRedactor): unknown {
  if (!WebTasksError.isInstance(error)) {
    if (error instanceof Error) return new Error(redactor.redact(error.message));
    return error;
  }
  const message = redactor.redact(error.message);
  if (message === error.message) return error;
  return new WebTasksError({
    code: error.code,
    message,
    retryable: error.retryable,
    ...(error.details !== undefined ? { details: redactor.redactJson(error.details) } : {}),
  });
}

async function guarded<T>(redactor: SecretRedactor, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw redactedError(error, redactor);
  }
}

function withValues(command: PageCommand, redactor: SecretRedactor): PageCommand {
  return { ...command, args: redactor.substituteJson(command.args) };
}

function withValuesTrigger(trigger: DownloadTrigger, redactor: SecretRedactor): DownloadTrigger {
  return trigger.kind === 'url' ? { kind: 'url', url: redactor.substitute(trigger.url) } : trigger;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

const COOKIE_HEADER = /^(set-)?cookie$/i;

/** `a=1; b=2` → `a=«…»; b=«…»` (a Set-Cookie header keeps its attributes). */
function maskCookieHeader(value: string, placeholder: string, setCookie: boolean): string {
  const mask = (pair: string) => {
    const eq = pair.indexOf('=');
    return eq < 0 ? pair : `${pair.slice(0, eq + 1)}${placeholder}`;
  };
  if (setCookie)
    return value
      .split('\n')
      .map((line) => {
        const [first = '', ...attributes] = line.split(';');
        return [mask(first), ...attributes].join(';');
      })
      .join('\n');
  return value
    .split(';')
    .map((pair) => {
      const trimmed = pair.trimStart();
      return pair.slice(0, pair.length - trimmed.length) + mask(trimmed);
    })
    .join(';');
}

/** Every cookie value in a network record (headers and HAR `cookies` lists), masked. */
function maskCookies(value: unknown, placeholder: string): unknown {
  if (Array.isArray(value)) return value.map((item) => maskCookies(item, placeholder));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(record)) {
    if (key === 'cookies' && Array.isArray(inner))
      out[key] = inner.map((cookie) =>
        cookie && typeof cookie === 'object' && 'value' in cookie
          ? { ...cookie, value: placeholder }
          : cookie,
      );
    else out[key] = maskCookies(inner, placeholder);
  }
  if (typeof record.name === 'string' && typeof record.value === 'string' && COOKIE_HEADER.test(record.name))
    out.value = maskCookieHeader(record.value, placeholder, /^set-/i.test(record.name));
  return out;
}

/**
 * A trace's network log (`*.network`, one JSON record a line) with every cookie value masked:
 * a site that rolls its session id on each response sets values the engine never saw in a
 * storage state, and none of them belongs in a debugging artifact.
 */
function maskNetworkCookies(text: string, placeholder: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (!/cookie/i.test(line)) return line;
      try {
        return JSON.stringify(maskCookies(JSON.parse(line), placeholder));
      } catch {
        return line;
      }
    })
    .join('\n');
}

/**
 * A Playwright trace zip with every secret value in its text entries (actions, DOM snapshots,
 * network bodies) replaced by its placeholder; with an auth session, every cookie value in the
 * network log is masked too. Binary entries (screenshots) are kept as they are.
 */
export function redactTraceZip(trace: Uint8Array, redactor: SecretRedactor): Uint8Array {
  const entries = unzipSync(trace);
  let changed = false;
  for (const [name, bytes] of Object.entries(entries)) {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      continue;
    }
    const [session] = redactor.sessions;
    const masked =
      session !== undefined && name.endsWith('.network')
        ? maskNetworkCookies(text, sessionPlaceholder(session))
        : text;
    const redacted = redactor.redact(masked);
    if (redacted !== text) {
      entries[name] = strToU8(redacted);
      changed = true;
    }
  }
  return changed ? zipSync(entries) : trace;
}

/** Operations that run page script, which can read `document.cookie` and `localStorage`. */
const SCRIPT_OPS: ReadonlySet<string> = new Set(['evaluate', '$eval', '$$eval', 'evaluateAll']);

/**
 * With an auth session: learn the browser's current cookie and localStorage values, so those the
 * site set during the run (a rolled id, a CSRF token) are redacted too.
 */
async function learnSessionValues(session: BrowserSession, redactor: SecretRedactor): Promise<void> {
  const [sessionName] = redactor.sessions;
  if (sessionName === undefined || !session.storageState) return;
  const now = await session.storageState().catch(() => undefined);
  if (now) redactor.addSessionValues(sessionName, now);
}

function wrapSession(session: BrowserSession, redactor: SecretRedactor): BrowserSession {
  return {
    id: session.id,
    execute: (options) =>
      guarded(redactor, async () => {
        const result = await session.execute({
          ...options,
          command: withValues(options.command, redactor),
        });
        // Only page script can hand back a value the site set since the session started.
        if (SCRIPT_OPS.has(options.command.op)) await learnSessionValues(session, redactor);
        return redactor.redactJson(result);
      }),
    observe: (options) => guarded(redactor, async () => redactor.redactJson(await session.observe(options))),
    screenshot: (options) => guarded(redactor, () => session.screenshot(options)),
    ...(session.storageState ? { storageState: (options) => session.storageState!(options) } : {}),
    download: (options) =>
      guarded(redactor, async () => {
        const file = await session.download({
          ...options,
          trigger: withValuesTrigger(options.trigger, redactor),
        });
        return {
          ...file,
          url: redactor.redact(file.url),
          suggestedName: redactor.redact(file.suggestedName),
        };
      }),
    close: (options) =>
      guarded(redactor, async () => {
        // Cookies the site set during the run (a rolled session id) are redacted from the trace too.
        await learnSessionValues(session, redactor);
        const closed = await session.close(options);
        if (!closed.trace) return closed;
        try {
          return { trace: redactTraceZip(closed.trace, redactor) };
        } catch {
          // A trace that cannot be rewritten is dropped rather than kept with the values in it.
          return {};
        }
      }),
  };
}

/**
 * The browser a task with secrets (or an auth session) uses: `«secret:name»` in a command's
 * arguments becomes the value just before the browser gets it, and every value coming back
 * (results, snapshots, errors, traces) is turned back into its placeholder — an auth session's
 * cookie and localStorage values into `«session:name»`. The sandbox and the model only ever
 * hold placeholders.
 */
export function browserWithSecrets(browser: BrowserProvider, redactor: SecretRedactor): BrowserProvider {
  if (redactor.names.length === 0 && redactor.sessions.length === 0) return browser;
  return {
    specificationVersion: 'v1',
    capabilities: browser.capabilities,
    openSession: async (options) => wrapSession(await browser.openSession(options), redactor),
    close: (options) => browser.close(options),
  };
}
