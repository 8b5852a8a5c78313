import { type Bundle, type BundleStore, type PromotionPolicy, WebTasksError } from '@webtasks/core';
import {
  type BundleRow,
  bundleValues,
  INSERT_COLUMNS,
  JSON_VALUE_INDEXES,
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
  return WebTasksError.isInstance(error) && errorCode(error.cause) === UNIQUE_VIOLATION;
}

function checkVersion(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new WebTasksError({
      code: 'invalid-request',
      message: `${PREFIX} ${name} must be a whole number ≥ 0, got ${String(value)}.`,
    });
  }
}

function checkLimit(limit: number | undefined): number | null {
  if (limit === undefined) return null;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new WebTasksError({
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
  const settingsTable = `${schema}.bundle_settings`;

  /** Set one JSON column (`stats`, `compiled`) of an existing version; `not-found` when it is missing. */
  async function updateVersionColumn(
    column: 'stats' | 'compiled',
    target: { workspaceId: string; reuseKey: string; version: number; value: unknown },
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    await context.ready();
    const { workspaceId, reuseKey, version } = target;
    const rows = await database.query(
      `UPDATE ${table} SET ${column} = $4::jsonb WHERE workspace_id = $1 AND reuse_key = $2 AND version = $3
       RETURNING version`,
      [workspaceId, reuseKey, version, JSON.stringify(target.value)],
      what,
      signal,
    );
    if (rows.length === 0) {
      throw notFoundError(`Bundle ${reuseKey} has no version ${version} in workspace ${workspaceId}.`, {
        workspaceId,
        reuseKey,
        version,
      });
    }
  }

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
            JSON_VALUE_INDEXES.has(index) ? `$${index + 1}::jsonb` : `$${index + 1}`,
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

    async saveCompiled({ workspaceId, reuseKey, version, compiled, signal }) {
      await updateVersionColumn(
        'compiled',
        { workspaceId, reuseKey, version, value: compiled },
        'store compiled code',
        signal,
      );
    },

    async saveStats({ workspaceId, reuseKey, version, stats, signal }) {
      await updateVersionColumn(
        'stats',
        { workspaceId, reuseKey, version, value: stats },
        'save bundle statistics',
        signal,
      );
    },

    async setStatus({ workspaceId, reuseKey, version, status, signal }) {
      await context.ready();
      const rows = await database.query(
        `UPDATE ${table} SET status = $4 WHERE workspace_id = $1 AND reuse_key = $2 AND version = $3
         RETURNING version`,
        [workspaceId, reuseKey, version, status],
        'save a bundle status',
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

    async getSettings({ workspaceId, reuseKey, signal }) {
      await context.ready();
      const rows = await database.query<{ promotion: PromotionPolicy; pinned_version: number | null }>(
        `SELECT promotion, pinned_version FROM ${settingsTable} WHERE workspace_id = $1 AND reuse_key = $2`,
        [workspaceId, reuseKey],
        'read bundle settings',
        signal,
      );
      const row = rows[0];
      if (!row) return { promotion: 'auto' };
      return {
        promotion: row.promotion,
        ...(row.pinned_version === null ? {} : { pinnedVersion: row.pinned_version }),
      };
    },

    async saveSettings({ workspaceId, reuseKey, settings, signal }) {
      await context.ready();
      await database.query(
        `INSERT INTO ${settingsTable} (workspace_id, reuse_key, promotion, pinned_version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (workspace_id, reuse_key)
         DO UPDATE SET promotion = EXCLUDED.promotion, pinned_version = EXCLUDED.pinned_version`,
        [workspaceId, reuseKey, settings.promotion, settings.pinnedVersion ?? null],
        'save bundle settings',
        signal,
      );
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
        await tx.query(
          `DELETE FROM ${settingsTable} WHERE workspace_id = $1 AND reuse_key = $2`,
          [workspaceId, reuseKey],
          'delete bundle settings',
          signal,
        );
        return Number(rows[0]?.deleted ?? 0) > 0;
      }, signal);
    },
  };
}
