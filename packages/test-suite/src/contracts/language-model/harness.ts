import type { LanguageModel } from '@webtasks/core';
import { it } from 'vitest';
import type { FakeRequestView, FakeScript } from '../../fake-apis/script.js';
import { createSkipRegistry, skipIfListed } from '../skip-registry.js';

/**
 * What the language model contract needs for one test: a model and a way to script the
 * replies it will get. For an HTTP adapter that is the adapter pointed at a fake API; for an
 * in-process model it is the model itself.
 */
export interface LanguageModelHarness {
  /** The model under test. Configure short retry delays (≤ 50 ms) and at least 2 retries. */
  model: LanguageModel;
  /** Queue the next replies (see `fakeReply`). */
  script(script: FakeScript): void;
  /** Requests the provider received so far (retries included). */
  requestCount(): number;
  /** The provider-neutral view of the last request that reached the provider. */
  lastRequest(): FakeRequestView | undefined;
  /** Release what the harness holds (a fake server, …). */
  cleanup?(): Promise<void> | void;
}

/** Options of `describeLanguageModelContract`. */
export interface LanguageModelContractOptions {
  /** Shown in the `describe` title, e.g. `anthropic (fake Messages API)`. */
  name: string;
  /** A fresh harness for one test. */
  create: () => Promise<LanguageModelHarness> | LanguageModelHarness;
  /** Release the harness; defaults to `harness.cleanup()`. */
  cleanup?: (harness: LanguageModelHarness) => Promise<void> | void;
  /** Tests (by exact title) this model cannot pass, with the reason; registered as skipped. */
  skip?: Array<{ reason: string; tests: string[] }>;
}

/** Registers contract tests with a fresh harness per test and the caller's skip list. */
export type HarnessTest = (title: string, body: (harness: LanguageModelHarness) => Promise<void>) => void;

/** Build the `test` function of the suite, and a check that every skipped title exists. */
export function harnessTests(options: LanguageModelContractOptions): {
  test: HarnessTest;
  checkSkips(): void;
} {
  const skips = createSkipRegistry(options.skip);
  const test: HarnessTest = (title, body) => {
    if (skipIfListed(skips, title)) return;
    it(title, async () => {
      const harness = await options.create();
      try {
        await body(harness);
      } finally {
        await (options.cleanup ?? ((h: LanguageModelHarness) => h.cleanup?.()))(harness);
      }
    });
  };
  return { test, checkSkips: () => skips.checkSkips() };
}
