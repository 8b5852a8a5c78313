/** Retry timing: exponential backoff with jitter, capped, honouring `Retry-After`. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest delay between two attempts. Default 8000 ms. */
  maxDelayMs?: number;
}

/**
 * Delay before retry number `attempt` (0 for the first retry): `base * 2^attempt`, capped,
 * with jitter in [50%, 100%] so many clients do not retry in lockstep. A `Retry-After` in
 * seconds from the server wins when it asks for longer (still capped at 60 s).
 */
export function retryDelayMs(
  attempt: number,
  options: BackoffOptions = {},
  retryAfter?: string | null,
  random: () => number = Math.random,
): number {
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 8_000;
  const exponential = Math.min(max, base * 2 ** attempt);
  const jittered = exponential * (0.5 + random() * 0.5);
  const asked = retryAfter != null && /^\d+(\.\d+)?$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : 0;
  return Math.round(Math.min(60_000, Math.max(jittered, asked)));
}

/** Resolve after `ms`, or reject with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A signal that aborts when any of `signals` does, with that signal's reason. Returns a
 * `dispose` to detach the listeners (long-lived parent signals would otherwise collect them).
 */
export function linkSignals(signals: (AbortSignal | undefined)[]): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  const listeners: (() => void)[] = [];
  for (const signal of present) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    listeners.push(() => signal.removeEventListener('abort', onAbort));
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const remove of listeners) remove();
    },
  };
}
