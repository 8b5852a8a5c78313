import type { Logger } from '@webtasks/core';
import { silentLogger } from '@webtasks/core';
import { createDatabase, type Database, type PostgresConnectionOptions, resolvePool } from './database.js';
import { migratePostgres } from './migrations.js';
import { DEFAULT_SCHEMA, quoteSchema } from './schema-name.js';

/** Options shared by every PostgreSQL store. */
export type PostgresStoreOptions = Partial<PostgresConnectionOptions> & {
  /** Schema holding the tables. Default `webtasks`. */
  schema?: string;
  /**
   * Apply pending migrations before the first query (default true). Migrations are
   * idempotent and serialised with an advisory lock, so many processes may do this at
   * once. Set false when you run `migratePostgres` yourself (a deploy step).
   */
  migrate?: boolean;
  logger?: Logger;
};

/** What the stores share: one database handle, the quoted schema, readiness, closing. */
export interface StoreContext {
  database: Database;
  /** Quoted schema name, ready to paste into SQL. */
  schema: string;
  /** Resolves once the schema is migrated (only the first call does work). */
  ready(): Promise<void>;
  logger: Logger;
  /** End the pool if this package opened it. */
  close(): Promise<void>;
}

/** Resolve the pool, validate the schema name, and prepare lazy migration. */
export function createStoreContext(options: PostgresStoreOptions): StoreContext {
  const schemaName = options.schema ?? DEFAULT_SCHEMA;
  const schema = quoteSchema(schemaName);
  const logger = (options.logger ?? silentLogger).child({ adapter: 'store-postgres', schema: schemaName });
  const { pool, owned } = resolvePool(options, logger);
  let migration: Promise<void> | undefined;
  let closed = false;
  return {
    database: createDatabase(pool, logger),
    schema,
    logger,
    ready() {
      if (options.migrate === false) return Promise.resolve();
      migration ??= migratePostgres({ pool, schema: schemaName, logger }).then(
        () => undefined,
        (error: unknown) => {
          migration = undefined;
          throw error;
        },
      );
      return migration;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await pool.end?.();
    },
  };
}
