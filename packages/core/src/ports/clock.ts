import type { CallOptions } from './common.js';

/** Time, injected so tests control it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolve after `ms` milliseconds; reject with an `aborted` error when `signal` fires. */
  sleep(options: { ms: number } & CallOptions): Promise<void>;
}

/** Identifiers, injected so tests get predictable ids. */
export interface IdGenerator {
  /** A new unique id starting with `prefix` and an underscore, e.g. `wt_3kq8…`. */
  next(prefix: string): string;
}

/** Structured log fields. */
export type LogFields = Record<string, unknown>;

/** The engine's only way to write logs: silent unless the embedding app passes one. */
export interface Logger {
  /** Detailed tracing of engine internals. */
  debug(message: string, fields?: LogFields): void;
  /** Lifecycle events worth keeping. */
  info(message: string, fields?: LogFields): void;
  /** Something went wrong but the engine recovered. */
  warn(message: string, fields?: LogFields): void;
  /** Something failed. */
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every entry. */
  child(fields: LogFields): Logger;
}
