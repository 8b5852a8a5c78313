export { createIsolatedVmSandbox, type IsolatedVmSandbox } from './isolated-vm-sandbox.js';
export { DEFAULT_LIMITS, type IsolatedVmSandboxOptions } from './sandbox-options.js';
