export {
  type AdapterErrorOptions,
  adapterPrefix,
  createAdapterError,
  type WrapAdapterErrorOptions,
  wrapAdapterError,
} from './adapter-error.js';
export { assertBlobKey } from './blob-key.js';
export { summarizeBundle } from './bundle-summary.js';
export { attachmentDisposition } from './content-disposition.js';
export { type KeepAlive, keepLeaseAlive, keepSlotAlive, type LeaseKeepAlive } from './lease-keep-alive.js';
export { type ModelCallErrorOptions, type ModelHttpFailure, toModelCallError } from './model-call-error.js';
