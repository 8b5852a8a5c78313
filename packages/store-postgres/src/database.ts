import { createHash } from 'node:crypto';
import { abortedError, type Logger, throwIfAborted, WebTasksError } from '@webtasks/core';
import pg from 'pg';
import { PREFIX, storageError } from './errors.js';

/** A pg pool, or anything shaped like one (only `query` and `connect` are used). */
export type PostgresPool = Pick<pg.Pool, 'query' | 'connect'> & { end?: () => Promise<void> };

/** How a store reaches PostgreSQL: a pool you hold, or a connection string the store opens a pool for. */
export type PostgresConnectionOptions =
  | { pool: PostgresPool; connectionString?: never }
  | { connectionString: string; pool?: never };

/** Something that runs SQL: the pool, or one client inside a transaction. */
export interface Database {
  /** Run one statement. `doing` names the operation in error messages. */
  query<Row extends Record<string, unknown>>(
    sql: string,
    values: unknown[],
    doing: string,
    signal?: AbortSignal,
    options?: QueryOptions,
  ): Promise<Row[]>;
  /**
   * Run `work` inside one transaction (BEGIN … COMMIT, ROLLBACK on a throw). Nested calls
   * join the outer transaction.
   */
  transaction<T>(work: (database: Database) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** How one statement is sent. */
export interface QueryOptions {
  /**
   * Send it as a named prepared statement: each connection parses and plans it once and then
   * only binds values. For the few hot statements whose text is fixed (the start's insert): a
   * third less database CPU per start. Each connection keeps every named statement it saw, so
   * never for SQL whose text varies.
   */
  prepare?: boolean;
}

const statementNames = new Map<string, string>();

/** A stable name for a statement's text (the same in every process, so logs line up). */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `webtasks_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/** A pool plus whether this package opened it (and so must end it). */
export interface OwnedPool {
  pool: PostgresPool;
  owned: boolean;
}

/**
 * Use the caller's pool, or open one for a connection string. An opened pool gets an `error`
 * listener: when PostgreSQL restarts it terminates idle connections, and pg emits that on the
 * pool, where an unhandled `error` event would take the whole process down. The pool drops
 * the dead client and the next query connects again.
 */
export function resolvePool(options: Partial<PostgresConnectionOptions>, logger?: Logger): OwnedPool {
  if (options.pool) return { pool: options.pool, owned: false };
  if (typeof options.connectionString === 'string' && options.connectionString !== '') {
    const pool = new pg.Pool({ connectionString: options.connectionString });
    pool.on('error', (error) =>
      logger?.warn('an idle PostgreSQL connection failed; the pool replaces it', { error: String(error) }),
    );
    return { pool, owned: true };
  }
  throw new WebTasksError({
    code: 'invalid-config',
    message: `${PREFIX} Pass either \`pool\` (a pg.Pool) or \`connectionString\` (postgres://user@host:5432/db).`,
  });
}

/** Reject with `aborted` when the signal fires before `promise` settles (the query itself runs on). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    // The query was already sent: keep its eventual failure from becoming an unhandled rejection.
    promise.catch(() => undefined);
    throwIfAborted(signal, what);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

type Queryable = Pick<pg.Pool, 'query'>;

function databaseOver(target: Queryable, logger: Logger, transaction: Database['transaction']): Database {
  return {
    async query<Row extends Record<string, unknown>>(
      sql: string,
      values: unknown[],
      doing: string,
      signal?: AbortSignal,
      options?: QueryOptions,
    ): Promise<Row[]> {
      // An aborted call sends nothing.
      throwIfAborted(signal, `${PREFIX} ${doing}`);
      try {
        const sent = options?.prepare
          ? target.query<Row>({ name: statementName(sql), text: sql, values })
          : target.query<Row>(sql, values);
        const result = await raceAbort(sent, signal, `${PREFIX} ${doing}`);
        return result.rows;
      } catch (error) {
        if (WebTasksError.isInstance(error)) throw error;
        logger.debug('postgres query failed', { doing, error: String(error) });
        throw storageError(error, doing);
      }
    },
    transaction,
  };
}

/** A Database over a pool: each `transaction` checks out one client. */
export function createDatabase(pool: PostgresPool, logger: Logger): Database {
  const database: Database = databaseOver(pool, logger, async (work, signal) => {
    throwIfAborted(signal, `${PREFIX} transaction`);
    let client: pg.PoolClient;
    try {
      client = await raceAbort(pool.connect(), signal, `${PREFIX} transaction`);
    } catch (error) {
      throw storageError(error, 'open a connection');
    }
    const inner: Database = databaseOver(client, logger, (nested) => nested(inner));
    let failed = false;
    // A checked-out client has no pool listener: the server going away between two queries
    // (a restart) would otherwise be an unhandled 'error' event that ends the process.
    const onError = (error: Error) => {
      failed = true;
      logger.warn('postgres connection lost inside a transaction', { error: String(error) });
    };
    client.on('error', onError);
    try {
      await inner.query('BEGIN', [], 'begin a transaction', signal);
      const result = await work(inner);
      await inner.query('COMMIT', [], 'commit a transaction');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        failed = true;
        logger.warn('postgres rollback failed; discarding the connection', { error: String(rollbackError) });
      });
      throw error;
    } finally {
      client.off('error', onError);
      client.release(failed ? true : undefined);
    }
  });
  return database;
}
