import type { Sandbox } from '@webtasks/core';
import {
  type ContractOptions,
  type ContractTestRegistrar,
  contractTests,
} from '../stores/contract-options.js';

/** Options of `describeSandboxContract` (keyv style: a factory, a cleanup, skips with reasons). */
export type SandboxContractOptions = ContractOptions<Sandbox>;

/** Registers tests with a fresh sandbox each and the caller's skip list. */
export type SandboxTestRegistrar = ContractTestRegistrar<Sandbox>;

/** Build the `test` function of the sandbox suite (cleanup defaults to `sandbox.close()`). */
export function sandboxTests(options: SandboxContractOptions): SandboxTestRegistrar {
  return contractTests(options);
}
