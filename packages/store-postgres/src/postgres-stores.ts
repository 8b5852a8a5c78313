import type { BundleStore, TaskStore } from '@webtasks/core';
import { bundleStoreOn } from './bundle-store.js';
import { createStoreContext, type PostgresStoreOptions } from './store-context.js';
import { taskStoreOn } from './task-store.js';

/** Stores bound to one transaction. */
export interface PostgresTransactionStores {
  bundles: BundleStore;
  tasks: TaskStore;
}

/** Both PostgreSQL stores over one pool, plus transactions spanning them. */
export interface PostgresStores extends PostgresTransactionStores {
  /**
   * Run `work` in one database transaction: everything it does through the stores it is
   * given commits together or not at all. A `conflict` (or any throw) rolls it all back.
   *
   * ```ts
   * await stores.transaction(async ({ bundles, tasks }) => {
   *   const saved = await bundles.save({ bundle, expectedVersion });
   *   await tasks.transition({ workspaceId, webTaskId, from: ['started'],
   *     patch: { status: 'completed', outcome: 'success', bundleVersion: saved.version } });
   * });
   * ```
   */
  transaction<T>(
    work: (stores: PostgresTransactionStores) => Promise<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T>;
  /** End the pool if the stores opened it. */
  close(): Promise<void>;
}

/**
 * A BundleStore and a TaskStore sharing one pool, with `transaction()` for changes that
 * must agree (saving a bundle version and completing the task that produced it).
 */
export function createPostgresStores(options: PostgresStoreOptions): PostgresStores {
  const context = createStoreContext(options);
  return {
    bundles: bundleStoreOn(context, context.database),
    tasks: taskStoreOn(context, context.database),
    async transaction(work, transactionOptions) {
      await context.ready();
      return context.database.transaction(
        (database) =>
          work({ bundles: bundleStoreOn(context, database), tasks: taskStoreOn(context, database) }),
        transactionOptions?.signal,
      );
    },
    close: context.close,
  };
}
