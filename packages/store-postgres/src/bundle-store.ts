import { type Bundle, type BundleStore, WebtasksError } from '@webtasks/core';
import {
  type BundleRow,
  bundleValues,
  INSERT_COLUMNS,
  rowToBundle,
  rowToSummary,
  SUMMARY_COLUMNS,
} from './bundle-rows.js';
import type { Database } from './database.js';
import { conflictError, errorCode, notFoundError, PREFIX, UNIQUE_VIOLATION } from './errors.js';
import { createStoreContext, type PostgresStoreOptions, type StoreContext } from './store-context.js';

/** A PostgreSQL BundleStore; `close()` ends the pool only if the store opened it. */
export interface PostgresBundleStore extends BundleStore {
  close(): Promise<void>;
}

/**
 * Bundles on PostgreSQL. Every version is one row of `<schema>.bundles`, unique on
 * (workspace_id, reuse_key, version): `save` locks the latest row, checks it is still
 * `expectedVersion`, and inserts `expectedVersion + 1`; two racing writers collide on the
 * unique key and the loser gets `conflict`.
 */
export function createPostgresBundleStore(options: PostgresStoreOptions): PostgresBundleStore {
  const context = createStoreContext(options);
  return { ...bundleStoreOn(context, context.database), close: context.close };
}

function isUniqueViolation(error: unknown): boolean {
  return WebtasksError.isInstance(error) && errorCode(error.cause) === UNIQUE_VIOLATION;
}

function checkVersion(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new WebtasksError({
      code: 'invalid-request',
      message: `${PREFIX} ${name} must be a whole number ≥ 0, got ${String(value)}.`,
    });
  }
}

function checkLimit(limit: number | undefined): number | null {
  if (limit === undefined) return null;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new WebtasksError({
      code: 'invalid-request',
      message: `${PREFIX} limit must be a whole number ≥ 0.`,
    });
  }
  return limit;
}

/** Escape LIKE wildcards so a key prefix matches literally. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The BundleStore methods over one Database (the pool, or a transaction's client). */
export function bundleStoreOn(context: StoreContext, database: Database): BundleStore {
  const { schema } = context;
  const table = `${schema}.bundles`;

  return {
    specificationVersion: 'v1',

    async latest({ workspaceId, reuseKey, signal }) {
      await context.ready();
      const rows = await database.query<BundleRow>(
        `SELECT * FROM ${table} WHERE workspace_id = $1 AND reuse_key = $2 ORDER BY version DESC LIMIT 1`,
        [workspaceId, reuseKey],
        'read the latest bundle',
        signal,
      );
      return rows[0] ? rowToBundle(rows[0]) : undefined;
    },

    async get({ workspaceId, reuseKey, version, signal }) {
      await context.ready();
      const rows = await database.query<BundleRow>(
        `SELECT * FROM ${table} WHERE workspace_id = $1 AND reuse_key = $2 AND version = $3`,
        [workspaceId, reuseKey, version],
        'read a bundle version',
        signal,
      );
      return rows[0] ? rowToBundle(rows[0]) : undefined;
    },

    async history({ workspaceId, reuseKey, limit, signal }) {
      await context.ready();
      const rows = await database.query<BundleRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM ${table} WHERE workspace_id = $1 AND reuse_key = $2
         ORDER BY version DESC LIMIT $3`,
        [workspaceId, reuseKey, checkLimit(limit)],
        'read bundle history',
        signal,
      );
      return rows.map(rowToSummary);
    },

    async save({ bundle, expectedVersion, signal }) {
      checkVersion(expectedVersion, 'expectedVersion');
      await context.ready();
      const key = { workspaceId: bundle.workspaceId, reuseKey: bundle.reuseKey };
      const conflict = (latest: number) =>
        conflictError(
          `Bundle ${bundle.reuseKey} is at version ${latest}, not ${expectedVersion}: another run saved first. Reload the latest version and retry.`,
          { ...key, expectedVersion, latestVersion: latest },
        );
      try {
        return await database.transaction(async (tx): Promise<Bundle> => {
          // FOR UPDATE makes a concurrent delete or save of this key wait for us (and us for it).
          const latestRows = await tx.query<{ version: number }>(
            `SELECT version FROM ${table} WHERE workspace_id = $1 AND reuse_key = $2
             ORDER BY version DESC LIMIT 1 FOR UPDATE`,
            [bundle.workspaceId, bundle.reuseKey],
            'lock the latest bundle',
            signal,
          );
          const latest = latestRows[0]?.version ?? 0;
          if (latest !== expectedVersion) throw conflict(latest);
          const placeholders = bundleValues(bundle, 0).map((_, index) =>
            index === 4 ? `$${index + 1}::jsonb` : `$${index + 1}`,
          );
          const inserted = await tx.query<BundleRow>(
            `INSERT INTO ${table} (${INSERT_COLUMNS}) VALUES (${placeholders.join(', ')}) RETURNING *`,
            bundleValues(bundle, expectedVersion + 1),
            'save a bundle',
            signal,
          );
          return rowToBundle(inserted[0] as BundleRow);
        }, signal);
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(expectedVersion + 1);
        throw error;
      }
    },

    async saveStats({ workspaceId, reuseKey, version, stats, signal }) {
      await context.ready();
      const rows = await database.query(
        `UPDATE ${table} SET stats = $4::jsonb WHERE workspace_id = $1 AND reuse_key = $2 AND version = $3
         RETURNING version`,
        [workspaceId, reuseKey, version, JSON.stringify(stats)],
        'save bundle statistics',
        signal,
      );
      if (rows.length === 0) {
        throw notFoundError(`Bundle ${reuseKey} has no version ${version} in workspace ${workspaceId}.`, {
          workspaceId,
          reuseKey,
          version,
        });
      }
    },

    async list({ workspaceId, prefix, limit, after, signal }) {
      await context.ready();
      // Conditions are added only when given, so each one can bound the index scan.
      const values: unknown[] = [workspaceId];
      const conditions = ['workspace_id = $1'];
      if (prefix) {
        values.push(prefix, likePrefix(prefix));
        conditions.push(`reuse_key >= $2 AND reuse_key LIKE $3 ESCAPE '\\'`);
      }
      if (after !== undefined) {
        values.push(after);
        conditions.push(`reuse_key > $${values.length}`);
      }
      values.push(checkLimit(limit));
      const rows = await database.query<BundleRow>(
        `SELECT DISTINCT ON (reuse_key) ${SUMMARY_COLUMNS} FROM ${table} WHERE ${conditions.join(' AND ')}
         ORDER BY reuse_key, version DESC LIMIT $${values.length}`,
        values,
        'list bundles',
        signal,
      );
      return rows.map(rowToSummary);
    },

    async delete({ workspaceId, reuseKey, signal }) {
      await context.ready();
      return database.transaction(async (tx) => {
        // Wait for a save in flight on this key, so the DELETE's snapshot includes its version.
        await tx.query(
          `SELECT version FROM ${table} WHERE workspace_id = $1 AND reuse_key = $2
           ORDER BY version DESC LIMIT 1 FOR UPDATE`,
          [workspaceId, reuseKey],
          'lock the latest bundle',
          signal,
        );
        const rows = await tx.query<{ deleted: string }>(
          `WITH gone AS (DELETE FROM ${table} WHERE workspace_id = $1 AND reuse_key = $2 RETURNING 1)
           SELECT count(*) AS deleted FROM gone`,
          [workspaceId, reuseKey],
          'delete a bundle',
          signal,
        );
        return Number(rows[0]?.deleted ?? 0) > 0;
      }, signal);
    },
  };
}
