export { createPostgresBundleStore, type PostgresBundleStore } from './bundle-store.js';
export type { PostgresConnectionOptions, PostgresPool } from './database.js';
export {
  type MigratePostgresOptions,
  type MigratePostgresResult,
  migratePostgres,
  POSTGRES_MIGRATIONS,
  type PostgresMigration,
} from './migrations.js';
export {
  createPostgresStores,
  type PostgresStores,
  type PostgresTransactionStores,
} from './postgres-stores.js';
export {
  createPostgresRunEventChannel,
  type PostgresRunEventChannel,
  type PostgresRunEventChannelOptions,
} from './run-event-channel.js';
export { DEFAULT_SCHEMA } from './schema-name.js';
export { createPostgresSecretStore, type PostgresSecretStore } from './secret-store.js';
export type { PostgresStoreOptions } from './store-context.js';
export { createPostgresTaskStore, type PostgresTaskStore } from './task-store.js';
