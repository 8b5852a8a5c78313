export {
  createFsBlobStore,
  type FsBlobStore,
  type FsBlobStoreOptions,
  verifySignedBlobUrl,
} from './fs-blob-store.js';
export { createFsBundleStore, type FsBundleStoreOptions } from './fs-bundle-store.js';
export { createFsSecretStore, type FsSecretStoreOptions } from './fs-secret-store.js';
export { createFsTaskStore, type FsTaskStoreOptions } from './fs-task-store.js';
