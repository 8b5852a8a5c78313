import { checkHostCall as checkShape, type HostCall, WebtasksError } from '@webtasks/core';

type Check = { ok: true; request: HostCall } | { ok: false; message: string };

/**
 * Parse and check one host call sent from the isolate. The prelude only makes well-formed calls,
 * but code that reached the raw bridge could send anything, so the JSON is parsed here and its
 * shape checked with the engine's own rules (`checkHostCall` of `@webtasks/core`) before the host
 * sees it. Argument values are left to the host, which validates them as Playwright would.
 */
export function checkHostCall(json: string): Check {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return fail('it is not JSON');
  }
  try {
    return { ok: true, request: checkShape(raw) };
  } catch (error) {
    if (!WebtasksError.isInstance(error)) throw error;
    return fail(error.message.replace(/^Invalid call from the code: /, ''));
  }
}

function fail(reason: string): Check {
  return { ok: false, message: `[webtasks:sandbox-isolated-vm] Malformed host call: ${reason}.` };
}
