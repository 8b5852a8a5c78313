import type { Logger } from '@webtasks/core';
import type { PoolClient } from 'pg';
import { type PostgresConnectionOptions, resolvePool } from './database.js';
import { storageError } from './errors.js';
import { silentLogger } from './logger.js';
import { DEFAULT_SCHEMA, quoteSchema } from './schema-name.js';

/** One versioned migration. `sql` receives the quoted schema name. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}

/**
 * The migrations, oldest first. Never edit a released one: append a new version.
 *
 * Text keys use the "C" collation so that listing orders keys by code point (like every
 * other adapter) and prefix searches can use the index.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'bundles and tasks',
    sql: (s) => `
      CREATE TABLE ${s}.bundles (
        workspace_id   text COLLATE "C" NOT NULL,
        reuse_key      text COLLATE "C" NOT NULL,
        version        integer NOT NULL CHECK (version > 0),
        source         text NOT NULL,
        output_schema  jsonb NOT NULL,
        origin         text NOT NULL CHECK (origin IN ('explore', 'repair', 'import', 'rollback')),
        task           text NOT NULL,
        start_url      text,
        web_task_id    text,
        parent_version integer,
        created_at     timestamptz NOT NULL DEFAULT now(),
        stats          jsonb
      );
      -- The compare-and-set key. Descending on version: latest() reads the first entry and
      -- list() streams keys in order with their newest version first, no sort needed.
      CREATE UNIQUE INDEX bundles_version_unique ON ${s}.bundles (workspace_id, reuse_key, version DESC);
      ALTER TABLE ${s}.bundles REPLICA IDENTITY USING INDEX bundles_version_unique;
      CREATE TABLE ${s}.tasks (
        web_task_id    text COLLATE "C" PRIMARY KEY,
        workspace_id   text COLLATE "C" NOT NULL,
        status         text NOT NULL,
        request        jsonb NOT NULL,
        outcome        text,
        result         jsonb,
        error          jsonb,
        reuse          jsonb NOT NULL,
        cost           jsonb,
        bundle_version integer,
        attempts       integer NOT NULL DEFAULT 0,
        created_at     timestamptz NOT NULL,
        started_at     timestamptz,
        completed_at   timestamptz,
        worker_id      text
      );
      CREATE INDEX tasks_workspace_created_idx ON ${s}.tasks (workspace_id, created_at DESC, web_task_id DESC);
      CREATE INDEX tasks_workspace_status_created_idx
        ON ${s}.tasks (workspace_id, status, created_at DESC, web_task_id DESC);
    `,
  },
];

/** Options of `migratePostgres`. */
export type MigratePostgresOptions = Partial<PostgresConnectionOptions> & {
  /** Schema to create and migrate. Default `webtasks`. */
  schema?: string;
  logger?: Logger;
};

/** What `migratePostgres` did. */
export interface MigratePostgresResult {
  /** Versions applied by this call (empty when the schema was up to date). */
  applied: number[];
  /** The schema's version afterwards. */
  version: number;
}

/**
 * Create the schema and apply pending migrations, each in its own transaction, recorded
 * in `<schema>.webtasks_migrations`. Idempotent, and safe when many processes call it at
 * once: callers queue on a session-level `pg_advisory_lock` keyed by the schema name.
 * Usable from a CLI (`await migratePostgres({ connectionString })`) or at startup.
 */
export async function migratePostgres(options: MigratePostgresOptions): Promise<MigratePostgresResult> {
  const schemaName = options.schema ?? DEFAULT_SCHEMA;
  const schema = quoteSchema(schemaName);
  const logger = options.logger ?? silentLogger;
  const { pool, owned } = resolvePool(options, logger);
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    if (owned) await pool.end?.();
    throw storageError(error, 'connect to migrate the schema');
  }
  const lockKey = `webtasks:migrate:${schemaName}`;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.webtasks_migrations (
           version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const done = new Set(
        (
          await client.query<{ version: number }>(`SELECT version FROM ${schema}.webtasks_migrations`)
        ).rows.map((row) => row.version),
      );
      const applied: number[] = [];
      for (const migration of POSTGRES_MIGRATIONS) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql(schema));
          await client.query(`INSERT INTO ${schema}.webtasks_migrations (version, name) VALUES ($1, $2)`, [
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        applied.push(migration.version);
        logger.info('postgres migration applied', { schema: schemaName, version: migration.version });
      }
      const version = Math.max(0, ...done, ...applied);
      return { applied, version };
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
    }
  } catch (error) {
    throw storageError(error, `migrate schema ${schemaName}`);
  } finally {
    client.release();
    if (owned) await pool.end?.();
  }
}
