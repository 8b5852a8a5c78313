import { Redis, type RedisOptions } from 'ioredis';
import { invalid } from './errors.js';

/** How the queue reaches Redis: a client you own, client options, or a URL. */
export interface BullMQConnectionOptions {
  /** An ioredis client (used for enqueueing; consumers use duplicates) or ioredis options. */
  connection?: Redis | RedisOptions;
  /** Instead of `connection`: `redis://host:6379/0`. */
  url?: string;
}

/** The clients the queue uses and which of them it must close. */
export interface QueueConnections {
  /** For the Queue (adds, lookups). */
  main: Redis;
  /** A fresh connection for one consumer; BullMQ blocks on it, so `maxRetriesPerRequest` is null. */
  forWorker(): Redis;
  /** Quit the connections the queue opened itself. */
  close(): Promise<void>;
}

/**
 * BullMQ's ESM build cannot load ioredis from options by itself, so connections are always
 * created here and handed to BullMQ as instances.
 */
export function resolveConnections(options: BullMQConnectionOptions): QueueConnections {
  let main: Redis;
  let owned: boolean;
  if (isClient(options.connection)) {
    main = options.connection;
    owned = false;
  } else if (options.connection) {
    main = new Redis({ ...options.connection, maxRetriesPerRequest: null });
    owned = true;
  } else if (options.url) {
    main = new Redis(options.url, { maxRetriesPerRequest: null });
    owned = true;
  } else {
    throw invalid(
      'invalid-config',
      'Pass `connection` (an ioredis client or options) or `url` (redis://host:6379).',
    );
  }
  if (main.options.keyPrefix) {
    throw invalid(
      'invalid-config',
      'The ioredis client has a keyPrefix, which BullMQ cannot use: pass `prefix` to the queue instead.',
    );
  }
  return {
    main,
    forWorker: () => main.duplicate({ maxRetriesPerRequest: null, connectionName: 'webtasks-queue-worker' }),
    async close() {
      if (owned) await main.quit().catch(() => main.disconnect());
    },
  };
}

function isClient(value: unknown): value is Redis {
  return typeof (value as { duplicate?: unknown } | undefined)?.duplicate === 'function';
}
