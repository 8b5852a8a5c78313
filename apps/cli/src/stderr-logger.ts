import type { Logger } from '@webtasks/core';
import type { Writer } from './progress.js';

/** A Logger writing one line per entry (`warn message {"field":1}`), for `--verbose`. */
export function createStderrLogger(out: Writer, fields: Record<string, unknown> = {}): Logger {
  const write = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    const all = { ...fields, ...extra };
    const suffix = Object.keys(all).length ? ` ${JSON.stringify(all)}` : '';
    out.write(`${level} ${message}${suffix}\n`);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => createStderrLogger(out, { ...fields, ...more }),
  };
}
