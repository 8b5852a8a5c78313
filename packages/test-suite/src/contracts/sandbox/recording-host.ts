import type { CallOptions, HostCall, JsonValue, SandboxHost, SandboxLogEntry } from '@webtasks/core';

/** Decides what the fake host answers to one call; throw to make the call fail inside the code. */
export type HostResponder = (
  request: HostCall,
  options: CallOptions | undefined,
) => JsonValue | Promise<JsonValue>;

/** A `SandboxHost` that records what the code asked for. */
export interface RecordingSandboxHost extends SandboxHost {
  /** Every call, in the order the sandbox delivered them. */
  readonly calls: HostCall[];
  /** The abort signal the sandbox passed with each call (undefined when none). */
  readonly signals: Array<AbortSignal | undefined>;
  /** Every log line streamed through `onLog`. */
  readonly streamedLogs: SandboxLogEntry[];
}

/**
 * A fake host for sandbox tests: records calls and streamed logs, and answers with `respond`
 * (default: `null` for everything, like Playwright's void actions).
 */
export function createRecordingSandboxHost(respond: HostResponder = () => null): RecordingSandboxHost {
  const calls: HostCall[] = [];
  const signals: Array<AbortSignal | undefined> = [];
  const streamedLogs: SandboxLogEntry[] = [];
  return {
    calls,
    signals,
    streamedLogs,
    async call(request, options) {
      calls.push(request);
      signals.push(options?.signal);
      return respond(request, options);
    },
    onLog(entry) {
      streamedLogs.push(entry);
    },
  };
}

/** A responder whose calls never settle (until the signal fires, when one is given). */
export const neverResolve: HostResponder = (_request, options) =>
  new Promise<JsonValue>((_resolve, reject) => {
    options?.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });
