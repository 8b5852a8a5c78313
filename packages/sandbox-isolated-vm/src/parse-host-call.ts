import type { HostCall } from '@webtasks/core';

type Parsed = { ok: true; request: HostCall } | { ok: false; message: string };

/**
 * Parse one host call sent from the isolate. Only the JSON is checked here: as the Sandbox port
 * says, calls go to the host untouched, and the engine's host (`createRunHost`) checks their
 * shape once (`checkHostCall` of `@webtasks/core`) before anything acts on them.
 */
export function parseHostCall(json: string): Parsed {
  try {
    return { ok: true, request: JSON.parse(json) as HostCall };
  } catch {
    return { ok: false, message: '[webtasks:sandbox-isolated-vm] Malformed host call: it is not JSON.' };
  }
}
