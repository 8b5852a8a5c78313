import type { SealedEntry, SealedKind, SecretStore } from '@webtasks/core';
import { createStoreContext, type PostgresStoreOptions } from './store-context.js';

/** A SecretStore on PostgreSQL, with `close()` for a pool it opened. */
export type PostgresSecretStore = SecretStore & { close(): Promise<void> };

interface EntryRow extends Record<string, unknown> {
  kind: SealedKind;
  name: string;
  sealed: string;
  updated_at: Date;
}

const toEntry = (row: EntryRow): SealedEntry => ({
  kind: row.kind,
  name: row.name,
  sealed: row.sealed,
  updatedAt: new Date(row.updated_at).toISOString(),
});

/**
 * Workspace secrets and auth sessions in `<schema>.sealed_entries` (migration 7): one row per
 * (workspace, kind, name) holding only what the core sealed (AES-256-GCM).
 */
export function createPostgresSecretStore(options: PostgresStoreOptions): PostgresSecretStore {
  const context = createStoreContext(options);
  const { database, schema } = context;
  const query = async <Row extends Record<string, unknown>>(
    sql: string,
    values: unknown[],
    doing: string,
    signal?: AbortSignal,
  ) => {
    await context.ready();
    return database.query<Row>(sql, values, doing, signal);
  };
  return {
    specificationVersion: 'v1',
    async put({ workspaceId, entry, signal }) {
      await query(
        `INSERT INTO ${schema}.sealed_entries (workspace_id, kind, name, sealed, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (workspace_id, kind, name) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at = EXCLUDED.updated_at`,
        [workspaceId, entry.kind, entry.name, entry.sealed, entry.updatedAt],
        'store a sealed entry',
        signal,
      );
    },
    async get({ workspaceId, kind, name, signal }) {
      const rows = await query<EntryRow>(
        `SELECT kind, name, sealed, updated_at FROM ${schema}.sealed_entries
         WHERE workspace_id = $1 AND kind = $2 AND name = $3`,
        [workspaceId, kind, name],
        'read a sealed entry',
        signal,
      );
      return rows[0] ? toEntry(rows[0]) : undefined;
    },
    async list({ workspaceId, kind, signal }) {
      const rows = await query<EntryRow>(
        `SELECT kind, name, sealed, updated_at FROM ${schema}.sealed_entries
         WHERE workspace_id = $1 AND kind = $2 ORDER BY name`,
        [workspaceId, kind],
        'list sealed entries',
        signal,
      );
      return rows.map(toEntry);
    },
    async delete({ workspaceId, kind, name, signal }) {
      const rows = await query<{ name: string }>(
        `DELETE FROM ${schema}.sealed_entries WHERE workspace_id = $1 AND kind = $2 AND name = $3 RETURNING name`,
        [workspaceId, kind, name],
        'delete a sealed entry',
        signal,
      );
      return rows.length > 0;
    },
    close: context.close,
  };
}
