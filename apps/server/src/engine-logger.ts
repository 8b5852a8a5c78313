import type { Logger } from '@webtasks/core';
import type { Logger as PinoLogger } from 'pino';

/** The engine's `Logger` port on a pino logger (fields first, message second, as pino wants). */
export function pinoEngineLogger(pino: PinoLogger): Logger {
  return {
    debug: (message, fields) => pino.debug(fields ?? {}, message),
    info: (message, fields) => pino.info(fields ?? {}, message),
    warn: (message, fields) => pino.warn(fields ?? {}, message),
    error: (message, fields) => pino.error(fields ?? {}, message),
    child: (fields) => pinoEngineLogger(pino.child(fields)),
  };
}
