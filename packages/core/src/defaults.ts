import { randomBytes } from 'node:crypto';
import { abortedError } from './errors.js';
import type { Clock, IdGenerator, Logger } from './ports/clock.js';

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: ({ ms, signal }) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortedError(signal));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortedError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Random ids: prefix + 20 base-36 characters (~103 bits). */
export const randomIdGenerator: IdGenerator = {
  next(prefix) {
    const bytes = randomBytes(20);
    let id = '';
    for (const byte of bytes) id += ALPHABET[byte % 36];
    return `${prefix}_${id}`;
  },
};

/** A logger that drops everything: the engine is silent unless the app passes a logger. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
