import { createHash } from 'node:crypto';
import {
  createAdapterError,
  type Logger,
  type RunEventChannel,
  type RunEventEntry,
  type RunEventListener,
  type RunEventMessage,
  type RunEventTopic,
  silentLogger,
  throwIfAborted,
  WebTasksError,
} from '@webtasks/core';
import pg from 'pg';
import { type PostgresConnectionOptions, type PostgresPool, resolvePool } from './database.js';
import { PREFIX, storageError } from './errors.js';

/** Options of `createPostgresRunEventChannel`. */
export type PostgresRunEventChannelOptions = PostgresConnectionOptions & {
  /**
   * Start of every NOTIFY channel name: a letter or `_`, then letters, digits or `_`, at most
   * 30 characters. Channels are per database, not per schema. Default `webtasks_events`.
   */
  channelPrefix?: string;
  logger?: Logger;
  /** Waits between attempts to reconnect: from `minMs` (default 100), doubling up to `maxMs` (default 5000). */
  reconnectDelay?: { minMs?: number; maxMs?: number };
  /** How long a publish may take before it fails and the connection is replaced. Default 2000 ms. */
  publishTimeoutMs?: number;
};

/** The PostgreSQL RunEventChannel, plus what tests and operators need to see. */
export interface PostgresRunEventChannel extends RunEventChannel {
  /** The backend process id of the channel's connection; undefined while it has none. */
  backendPid(): number | undefined;
}

/** Larger entries go as a notice (NOTIFY payloads must stay under 8000 bytes). */
const MAX_ENTRY_BYTES = 7000;
const MAX_PAYLOAD_BYTES = 7999;
const PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,29}$/;

interface Subscription {
  topic: RunEventTopic;
  listener: RunEventListener;
}

interface Outgoing {
  name: string;
  payload: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What travels in a NOTIFY payload. The ids guard against two topics sharing a channel name. */
interface Payload {
  w: string;
  t: string;
  e?: RunEventEntry;
  s?: number;
}

/** How long opening the connection may take (PostgreSQL unreachable: fail, back off, retry). */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * The caller's pool, or one of a single connection (all the channel needs) that gives up
 * connecting after a while, so a stream waiting for its subscription is not held for long.
 */
function channelPool(
  options: PostgresRunEventChannelOptions,
  logger: Logger,
): { pool: PostgresPool; owned: boolean } {
  if (options.pool || typeof options.connectionString !== 'string' || options.connectionString === '')
    return resolvePool(options, logger);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 1,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  pool.on('error', (error) => logger.debug('the run event connection failed', { error: String(error) }));
  return { pool, owned: true };
}

/**
 * Pushes live run events through PostgreSQL's LISTEN/NOTIFY, on one dedicated connection per
 * channel (taken from the pool and held; it publishes too, so a process's entries leave in
 * order). Each task has its own NOTIFY channel, named by a hash of its ids. When the
 * connection drops (a PostgreSQL restart, `pg_terminate_backend`), it reconnects with
 * backoff, listens again and sends subscribers a notice to read the store.
 */
export function createPostgresRunEventChannel(
  options: PostgresRunEventChannelOptions,
): PostgresRunEventChannel {
  const prefix = options.channelPrefix ?? 'webtasks_events';
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new WebTasksError({
      code: 'invalid-config',
      message: `${PREFIX} channelPrefix ${JSON.stringify(prefix)} is not usable: use a letter or _ then letters, digits or _, at most 30 characters.`,
    });
  }
  const logger = options.logger ?? silentLogger;
  const { pool, owned } = channelPool(options, logger);
  const minDelay = options.reconnectDelay?.minMs ?? 100;
  const maxDelay = options.reconnectDelay?.maxMs ?? 5000;
  const publishTimeoutMs = options.publishTimeoutMs ?? 2000;
  const subscriptions = new Map<string, Set<Subscription>>();
  let client: pg.PoolClient | undefined;
  let pid: number | undefined;
  /** Channel names the current connection listens to (or has been asked to). */
  const listening = new Set<string>();
  let connecting: Promise<pg.PoolClient | undefined> | undefined;
  let failures = 0;
  let notBefore = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let everConnected = false;
  let closed = false;

  const channelName = (topic: RunEventTopic): string =>
    `${prefix}_${createHash('sha256').update(`${topic.workspaceId}\u0000${topic.webTaskId}`).digest('hex').slice(0, 32)}`;

  const deliver = (name: string, message: RunEventMessage, topic?: RunEventTopic) => {
    for (const { topic: wanted, listener } of [...(subscriptions.get(name) ?? [])]) {
      if (topic && (topic.workspaceId !== wanted.workspaceId || topic.webTaskId !== wanted.webTaskId))
        continue;
      try {
        listener(message);
      } catch (error) {
        logger.warn('a run event listener threw', { error: String(error) });
      }
    }
  };

  const onNotification = (notification: pg.Notification) => {
    if (!subscriptions.has(notification.channel) || notification.payload === undefined) return;
    let payload: Payload;
    try {
      payload = JSON.parse(notification.payload) as Payload;
    } catch {
      logger.warn('ignored a run event notification that is not JSON', { channel: notification.channel });
      return;
    }
    const topic = { workspaceId: payload.w, webTaskId: payload.t };
    if (payload.e) deliver(notification.channel, { type: 'entry', entry: payload.e }, topic);
    else deliver(notification.channel, { type: 'notice', ...(payload.s ? { seq: payload.s } : {}) }, topic);
  };

  const scheduleRetry = () => {
    if (closed || retryTimer || subscriptions.size === 0) return;
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        void connect();
      },
      Math.max(0, notBefore - Date.now()),
    );
    retryTimer.unref?.();
  };

  /** Forget a connection that failed; subscribers are listened for again on the next one. */
  const lost = (which: pg.PoolClient, error: unknown) => {
    if (client !== which) return;
    logger.warn('the run event connection to PostgreSQL was lost; reconnecting', { error: String(error) });
    client = undefined;
    pid = undefined;
    listening.clear();
    try {
      which.release(true);
    } catch {
      // Already ended.
    }
    notBefore = Date.now() + minDelay;
    scheduleRetry();
  };

  const listen = (target: pg.PoolClient, name: string): Promise<void> => {
    listening.add(name);
    // The name is made of the checked prefix and hex digits: quoting is for form only.
    return target.query(`LISTEN "${name}"`).then(
      () => undefined,
      (error: unknown) => lost(target, error),
    );
  };

  /** Connect unless connected, connecting, closed or waiting out a backoff. */
  const connect = (): Promise<pg.PoolClient | undefined> => {
    if (client) return Promise.resolve(client);
    if (connecting) return connecting;
    if (closed) return Promise.resolve(undefined);
    if (Date.now() < notBefore) {
      // Still backing off: make sure a retry comes. The retry timer itself lands here when it
      // fires before the wall clock reaches `notBefore` (timers run on the monotonic clock; a
      // busy loop's cached time or a wall clock stepped back makes the two differ), and without
      // this the channel stayed disconnected until the next subscribe or publish.
      scheduleRetry();
      return Promise.resolve(undefined);
    }
    connecting = (async () => {
      let fresh: pg.PoolClient | undefined;
      try {
        fresh = await pool.connect();
        const connection = fresh;
        connection.on('error', (error) => lost(connection, error));
        connection.on('end', () => lost(connection, new Error('connection ended')));
        connection.on('notification', onNotification);
        const rows = await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        if (closed) {
          connection.release(true);
          return undefined;
        }
        client = connection;
        pid = rows.rows[0]?.pid;
        await Promise.all([...subscriptions.keys()].map((name) => listen(connection, name)));
        if (client !== connection) return undefined;
        failures = 0;
        if (everConnected) {
          logger.info('the run event connection to PostgreSQL is back');
          // Entries published while it was down were lost: subscribers read the store.
          for (const name of subscriptions.keys()) deliver(name, { type: 'notice' });
        }
        everConnected = true;
        return connection;
      } catch (error) {
        if (fresh && client !== fresh) {
          try {
            fresh.release(true);
          } catch {
            // Already ended.
          }
        }
        failures += 1;
        notBefore = Date.now() + Math.min(maxDelay, minDelay * 2 ** (failures - 1));
        logger.warn('could not connect for run events; retrying', { error: String(error) });
        scheduleRetry();
        return undefined;
      } finally {
        connecting = undefined;
      }
    })();
    return connecting;
  };

  /** Notifications waiting for the statement in flight; the next statement sends them all. */
  const outbox: Outgoing[] = [];
  let sending = false;

  /** Send the outbox in statements of up to 100 notifications, one round trip each, in order. */
  const send = async () => {
    sending = true;
    try {
      while (outbox.length > 0) {
        const batch = outbox.splice(0, 100);
        const target = client;
        if (!target) {
          const error = new Error('the connection was lost');
          for (const item of batch) item.reject(storageError(error, 'publish a run event'));
          continue;
        }
        const calls = batch.map((_, index) => `pg_notify($${2 * index + 1}, $${2 * index + 2})`);
        const sent = target.query(
          `SELECT ${calls.join(', ')}`,
          batch.flatMap((item) => [item.name, item.payload]),
        );
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer in ${publishTimeoutMs} ms`)),
            publishTimeoutMs,
          );
        });
        try {
          await Promise.race([sent, timeout]);
          for (const item of batch) item.resolve();
        } catch (error) {
          sent.catch(() => undefined);
          lost(target, error);
          for (const item of batch) item.reject(storageError(error, 'publish a run event'));
        } finally {
          clearTimeout(timer);
        }
      }
    } finally {
      sending = false;
    }
  };

  const closedError = (what: string) =>
    createAdapterError('store-postgres', {
      code: 'aborted',
      message: `${what}: the run event channel is closed.`,
    });

  return {
    specificationVersion: 'v1',
    capabilities: { distributed: true, maxEntryBytes: MAX_ENTRY_BYTES },

    backendPid: () => pid,

    async publish({ workspaceId, webTaskId, entry, signal }) {
      throwIfAborted(signal, `${PREFIX} publish a run event`);
      if (closed) throw closedError('publish');
      const entryJson = JSON.stringify(entry);
      let payload = `{"w":${JSON.stringify(workspaceId)},"t":${JSON.stringify(webTaskId)},"e":${entryJson}}`;
      if (Buffer.byteLength(entryJson) > MAX_ENTRY_BYTES || Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES)
        payload = JSON.stringify({ w: workspaceId, t: webTaskId, s: entry.seq } satisfies Payload);
      // Connected: queue it now, without an await, so publish calls keep their order.
      const target = client && !connecting ? client : await connect();
      if (!target) {
        throw createAdapterError('store-postgres', {
          code: 'storage-error',
          retryable: true,
          message:
            'Not connected to PostgreSQL for run events (reconnecting): the entry reaches streams from the run record.',
        });
      }
      return new Promise<void>((resolve, reject) => {
        outbox.push({ name: channelName({ workspaceId, webTaskId }), payload, resolve, reject });
        if (sending) return;
        // From its own macrotask: what is published in this turn goes in one statement, and
        // nothing is written to the socket from inside the caller (an engine event can be
        // emitted inside a sandbox callback, where Node defers process.nextTick work).
        sending = true;
        setImmediate(() => void send());
      });
    },

    async subscribe(topic, listener) {
      throwIfAborted(topic.signal, `${PREFIX} subscribe to run events`);
      if (closed) throw closedError('subscribe');
      const name = channelName(topic);
      let set = subscriptions.get(name);
      if (!set) {
        set = new Set();
        subscriptions.set(name, set);
      }
      const subscription: Subscription = {
        topic: { workspaceId: topic.workspaceId, webTaskId: topic.webTaskId },
        listener,
      };
      set.add(subscription);
      const unsubscribe = () => {
        const current = subscriptions.get(name);
        if (!current?.delete(subscription) || current.size > 0) return;
        subscriptions.delete(name);
        if (client && listening.delete(name)) client.query(`UNLISTEN "${name}"`).catch(() => undefined);
      };
      // Disconnected and waiting out a backoff: resolve now; the next connection listens.
      const target = await connect();
      if (target && target === client && !listening.has(name) && subscriptions.has(name))
        await listen(target, name);
      else if (target && listening.has(name)) await target.query('SELECT 1').catch(() => undefined);
      if (!target) scheduleRetry();
      return unsubscribe;
    },

    async close() {
      if (closed) return;
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await connecting;
      subscriptions.clear();
      const last = client;
      client = undefined;
      pid = undefined;
      listening.clear();
      // Destroyed rather than returned: a pooled connection must not keep listening.
      if (last) last.release(true);
      if (owned) await pool.end?.();
    },
  };
}
