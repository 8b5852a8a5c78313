import { strToU8, unzipSync, zipSync } from 'fflate';
import { WebTasksError } from '../errors.js';
import type { BrowserProvider, BrowserSession, DownloadTrigger, PageCommand } from '../ports/browser.js';
import type { SecretRedactor } from './redaction.js';

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

/**
 * A Playwright trace zip with every secret value in its text entries (actions, DOM snapshots,
 * network bodies) replaced by its placeholder. Binary entries (screenshots) are kept as they are.
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
    const redacted = redactor.redact(text);
    if (redacted !== text) {
      entries[name] = strToU8(redacted);
      changed = true;
    }
  }
  return changed ? zipSync(entries) : trace;
}

function wrapSession(session: BrowserSession, redactor: SecretRedactor): BrowserSession {
  return {
    id: session.id,
    execute: (options) =>
      guarded(redactor, async () =>
        redactor.redactJson(
          await session.execute({ ...options, command: withValues(options.command, redactor) }),
        ),
      ),
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
 * The browser a task with secrets uses: `«secret:name»` in a command's arguments becomes the
 * value just before the browser gets it, and every value coming back (results, snapshots,
 * errors, traces) is turned back into its placeholder. The sandbox and the model only ever
 * hold placeholders.
 */
export function browserWithSecrets(browser: BrowserProvider, redactor: SecretRedactor): BrowserProvider {
  if (redactor.names.length === 0) return browser;
  return {
    specificationVersion: 'v1',
    capabilities: browser.capabilities,
    openSession: async (options) => wrapSession(await browser.openSession(options), redactor),
    close: (options) => browser.close(options),
  };
}
