export * from './ports/index.js';
export {
  abortedError,
  ERROR_CODES,
  type ErrorCode,
  throwIfAborted,
  toWebtasksError,
  WebtasksError,
  type WebtasksErrorOptions,
} from './errors.js';
export { RUNTIME_DECLARATIONS, RUNTIME_MODULE_NAME } from './runtime/declarations.js';
export type { BundleAdmin, TaskEvent, TaskEventListener, WebTasksEngine } from './engine-api.js';
export {
  SIGNED_BLOB_PATH,
  type SignBlobUrlOptions,
  type SignedBlobUrlCheck,
  type SignedUrlVerifier,
  signBlobUrl,
  type VerifyBlobUrlOptions,
  verifyBlobUrl,
} from './signing.js';
