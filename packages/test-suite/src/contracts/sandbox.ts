import { describe } from 'vitest';
import { registerBehaviourTests } from './sandbox/behaviour-tests.js';
import { registerLimitTests } from './sandbox/limit-tests.js';
import { type SandboxContractOptions, sandboxTests } from './sandbox/registrar.js';

export { expectFailure, expectOutput, task as sandboxTask } from './sandbox/behaviour-tests.js';
export {
  createRecordingSandboxHost,
  type HostResponder,
  neverResolve,
  type RecordingSandboxHost,
} from './sandbox/recording-host.js';
export type { SandboxContractOptions } from './sandbox/registrar.js';

/**
 * The `Sandbox` contract: every adapter (and the fake one the engine tests use) runs it.
 * Code strings are CommonJS-shaped plain JavaScript; the host is a recording fake. Tests that
 * need real isolation (the memory bomb) skip themselves when `capabilities.isolation` is false.
 *
 * @example
 * describeSandboxContract({ name: 'isolated-vm', create: () => createIsolatedVmSandbox({ workers: 2 }) });
 */
export function describeSandboxContract(options: SandboxContractOptions): void {
  describe(`Sandbox contract: ${options.name}`, () => {
    const test = sandboxTests(options);
    registerBehaviourTests(test);
    registerLimitTests(test);
    test.checkSkips();
  });
}
