import type { Sandbox } from '@webtasks/core';
import { expect, it, type TestContext } from 'vitest';

/** Options of `describeSandboxContract` (keyv style: a factory, a cleanup, skips with reasons). */
export interface SandboxContractOptions {
  /** Shown in the `describe` title, e.g. `isolated-vm`. */
  name: string;
  /** A fresh sandbox for one test. */
  create: () => Promise<Sandbox> | Sandbox;
  /** Release what `create` made. Defaults to `sandbox.close()`. */
  cleanup?: (sandbox: Sandbox) => Promise<void> | void;
  /** Tests (by exact title) this adapter cannot pass, with the reason; they are registered as skipped. */
  skip?: Array<{ reason: string; tests: string[] }>;
}

/** The body of one contract test. */
export type SandboxTestBody = (sandbox: Sandbox, context: TestContext) => Promise<void>;

/** Registers tests with a fresh sandbox each and the caller's skip list. */
export interface SandboxTestRegistrar {
  (title: string, body: SandboxTestBody, timeoutMs?: number): void;
  /** Call last: fails when `skip` names a test the suite does not have. */
  checkSkips(): void;
}

/** Build the `test` function of the sandbox suite. */
export function sandboxTests(options: SandboxContractOptions): SandboxTestRegistrar {
  const reasons = new Map<string, string>();
  for (const entry of options.skip ?? []) for (const title of entry.tests) reasons.set(title, entry.reason);
  const seen = new Set<string>();
  const register = (title: string, body: SandboxTestBody, timeoutMs?: number): void => {
    seen.add(title);
    const reason = reasons.get(title);
    if (reason !== undefined) {
      it.skip(`${title} (skipped: ${reason})`, () => {});
      return;
    }
    it(
      title,
      async (context) => {
        const sandbox = await options.create();
        try {
          await body(sandbox, context);
        } finally {
          await (options.cleanup ? options.cleanup(sandbox) : sandbox.close());
        }
      },
      timeoutMs,
    );
  };
  return Object.assign(register, {
    checkSkips(): void {
      const unknown = [...reasons.keys()].filter((title) => !seen.has(title));
      if (unknown.length > 0) {
        it('skip list names only tests of this suite', () => {
          expect.fail(
            `skip names unknown tests (check the spelling): ${unknown.map((t) => JSON.stringify(t)).join(', ')}`,
          );
        });
      }
    },
  });
}
