// Contract suites of the storage ports. Each adapter's test file calls one of these with a
// factory; the suites live in `./stores/`, one file per port.
export { describeBlobStoreContract, INVALID_BLOB_KEYS } from './stores/blob-store.js';
export { describeBundleStoreContract, sampleNewBundle } from './stores/bundle-store.js';
export {
  type ContractOptions,
  type ContractTestBody,
  type ContractTestRegistrar,
  contractTests,
  expectWebTasksError,
} from './stores/contract-options.js';
export { describeLockManagerContract } from './stores/lock-manager.js';
export {
  describeRunEventChannelContract,
  type RunEventChannelContractOptions,
} from './stores/run-event-channel.js';
export { describeSecretStoreContract } from './stores/secret-store.js';
export { describeTaskQueueContract } from './stores/task-queue.js';
export { describeTaskStoreContract, sampleTaskRecord } from './stores/task-store.js';
export { sampleRunRecord } from './stores/task-store-runs.js';
