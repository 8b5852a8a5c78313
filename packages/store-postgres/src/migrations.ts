import type { Logger } from '@webtasks/core';
import { silentLogger } from '@webtasks/core';
import type { PoolClient } from 'pg';
import { type PostgresConnectionOptions, resolvePool } from './database.js';
import { storageError } from './errors.js';
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
  {
    version: 2,
    name: 'compiled code of bundle versions',
    // NULL for versions saved before: the engine compiles them on demand and stores the result.
    sql: (s) => `ALTER TABLE ${s}.bundles ADD COLUMN compiled jsonb;`,
  },
  {
    version: 3,
    name: 'task leases and the unfinished-task index',
    sql: (s) => `
      ALTER TABLE ${s}.tasks ADD COLUMN lease_expires_at timestamptz;
      -- The reconciler's scan: unfinished tasks of every workspace, oldest first.
      CREATE INDEX tasks_unfinished_idx ON ${s}.tasks (created_at, web_task_id) WHERE status <> 'completed';
    `,
  },
  {
    version: 4,
    name: 'safe promotion: parameter schemas, side effects, review states, key settings',
    sql: (s) => `
      ALTER TABLE ${s}.bundles ADD COLUMN params_schema jsonb;
      ALTER TABLE ${s}.bundles ADD COLUMN side_effects boolean;
      -- NULL means active.
      ALTER TABLE ${s}.bundles ADD COLUMN status text CHECK (status IN ('active', 'proposed', 'rejected'));
      CREATE TABLE ${s}.bundle_settings (
        workspace_id   text COLLATE "C" NOT NULL,
        reuse_key      text COLLATE "C" NOT NULL,
        promotion      text NOT NULL CHECK (promotion IN ('auto', 'review', 'off')),
        pinned_version integer,
        PRIMARY KEY (workspace_id, reuse_key)
      );
    `,
  },
  {
    version: 5,
    name: 'run records, list by reuse key, retention',
    sql: (s) => `
      CREATE TABLE ${s}.task_runs (
        web_task_id  text COLLATE "C" PRIMARY KEY REFERENCES ${s}.tasks (web_task_id) ON DELETE CASCADE,
        workspace_id text COLLATE "C" NOT NULL,
        record       jsonb NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX tasks_workspace_reuse_key_created_idx
        ON ${s}.tasks (workspace_id, (request->>'reuseKey'), created_at DESC, web_task_id DESC);
      CREATE INDEX tasks_completed_idx ON ${s}.tasks (completed_at) WHERE status = 'completed';
    `,
  },
  {
    version: 6,
    name: 'owed webhooks',
    // Only owed webhooks are in the index, so the workers' sweep costs what is owed.
    sql: (s) => `
      CREATE INDEX task_runs_webhook_due_idx
        ON ${s}.task_runs ((COALESCE(record->'webhook'->>'nextAttemptAt', '')))
        WHERE ${WEBHOOK_OWED};
    `,
  },
  {
    version: 7,
    name: 'sealed workspace secrets and auth sessions',
    sql: (s) => `
      CREATE TABLE ${s}.sealed_entries (
        workspace_id text COLLATE "C" NOT NULL,
        kind         text COLLATE "C" NOT NULL CHECK (kind IN ('secret', 'auth-session')),
        name         text COLLATE "C" NOT NULL,
        sealed       text NOT NULL,
        updated_at   timestamptz NOT NULL,
        PRIMARY KEY (workspace_id, kind, name)
      );
    `,
  },
  {
    version: 8,
    name: 'queued-task slots: an exact limit without serialising starts',
    // One row per queued place of a workspace, created on demand up to its limit. A start
    // claims a free one with FOR UPDATE SKIP LOCKED in the statement that inserts the task,
    // so concurrent starts take different rows and commit together; a task that leaves
    // `pending` (or is deleted) frees its slot through the trigger below.
    sql: (s) => `
      CREATE TABLE ${s}.pending_slots (
        workspace_id text COLLATE "C" NOT NULL,
        slot_no      integer NOT NULL,
        web_task_id  text COLLATE "C",
        PRIMARY KEY (workspace_id, slot_no)
      );
      CREATE UNIQUE INDEX pending_slots_task_idx ON ${s}.pending_slots (web_task_id)
        WHERE web_task_id IS NOT NULL;
      CREATE INDEX pending_slots_free_idx ON ${s}.pending_slots (workspace_id, slot_no)
        WHERE web_task_id IS NULL;
      INSERT INTO ${s}.pending_slots (workspace_id, slot_no, web_task_id)
        SELECT workspace_id, row_number() OVER (PARTITION BY workspace_id ORDER BY created_at, web_task_id) - 1,
               web_task_id
          FROM ${s}.tasks WHERE status = 'pending';
      CREATE FUNCTION ${s}.release_pending_slot() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE ${s}.pending_slots SET web_task_id = NULL WHERE web_task_id = OLD.web_task_id;
        RETURN NULL;
      END $$;
      CREATE TRIGGER tasks_release_pending_slot_on_update AFTER UPDATE OF status ON ${s}.tasks
        FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status <> 'pending')
        EXECUTE FUNCTION ${s}.release_pending_slot();
      CREATE TRIGGER tasks_release_pending_slot_on_delete AFTER DELETE ON ${s}.tasks
        FOR EACH ROW WHEN (OLD.status = 'pending')
        EXECUTE FUNCTION ${s}.release_pending_slot();
    `,
  },
  {
    version: 9,
    name: 'webhook claims: one process sends each attempt',
    // A claim is a lease on the run's row: who holds it and until when (the database's clock,
    // so processes with skewed clocks agree). Writes of the record leave these columns alone.
    sql: (s) => `
      ALTER TABLE ${s}.task_runs
        ADD COLUMN webhook_claimed_by text COLLATE "C",
        ADD COLUMN webhook_claimed_until timestamptz;
    `,
  },
];

/** The predicate of an owed webhook (the partial index's and the query's, spelled alike). */
export const WEBHOOK_OWED =
  "(record->'webhook'->>'delivered') = 'false' AND COALESCE(record->'webhook'->>'gaveUp', 'false') <> 'true'";

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
