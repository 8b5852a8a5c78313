export {
  createMemoryBlobStore,
  type MemoryBlobStore,
  type MemoryBlobStoreOptions,
} from './memory-blob-store.js';
export { createMemoryBundleStore, type MemoryBundleStoreOptions } from './memory-bundle-store.js';
export { createMemoryLockManager, type MemoryLockManagerOptions } from './memory-lock-manager.js';
export {
  createMemoryRunEventBus,
  createMemoryRunEventChannel,
  type MemoryRunEventBus,
  type MemoryRunEventChannelOptions,
} from './memory-run-event-channel.js';
export { createMemorySecretStore } from './memory-secret-store.js';
export { createMemoryTaskQueue, type MemoryTaskQueueOptions } from './memory-task-queue.js';
export { createMemoryTaskStore, type MemoryTaskStoreOptions } from './memory-task-store.js';
