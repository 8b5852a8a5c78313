import { type ErrorCode, WebTasksError } from '@webtasks/core';
import { expect, it, type TestContext } from 'vitest';
import { createSkipRegistry, type SkipList, skipIfListed } from '../skip-registry.js';

/** Options every store contract suite takes (keyv style: a factory, a cleanup, skips). */
export interface ContractOptions<T> {
  /** Shown in the `describe` title, e.g. `postgres`. */
  name: string;
  /** A fresh instance for one test. */
  create: () => Promise<T> | T;
  /** Release what `create` made. Defaults to calling `close()` when the instance has one. */
  cleanup?: (instance: T) => Promise<void> | void;
  /** Tests (by exact title) this adapter cannot pass, with the reason; they are registered as skipped. */
  skip?: SkipList;
}

/** The body of one contract test: a fresh instance plus vitest's test context. */
export type ContractTestBody<T> = (instance: T, context: TestContext) => Promise<void>;

/** Registers contract tests with per-test instances and the caller's skip list. */
export interface ContractTestRegistrar<T> {
  (title: string, body: ContractTestBody<T>, timeoutMs?: number): void;
  /** Call last inside the `describe`: fails when `skip` names a test the suite does not have. */
  checkSkips(): void;
}

/** Build the `test` function of a suite: fresh instance per test, cleanup, skips by title. */
export function contractTests<T>(
  options: ContractOptions<T>,
  defaultCleanup: (instance: T) => Promise<void> | void = closeIfPossible,
): ContractTestRegistrar<T> {
  const skips = createSkipRegistry(options.skip);
  const register = (title: string, body: ContractTestBody<T>, timeoutMs?: number): void => {
    if (skipIfListed(skips, title)) return;
    it(
      title,
      async (context) => {
        const instance = await options.create();
        try {
          await body(instance, context);
        } finally {
          await (options.cleanup ?? defaultCleanup)(instance);
        }
      },
      timeoutMs,
    );
  };
  return Object.assign(register, { checkSkips: () => skips.checkSkips() });
}

export async function closeIfPossible(instance: unknown): Promise<void> {
  const close = (instance as { close?: unknown } | undefined)?.close;
  if (typeof close === 'function') await close.call(instance);
}

/** Await `promise`, expect it to reject with a WebTasksError of `code`, and return the error. */
export async function expectWebTasksError(
  promise: Promise<unknown>,
  code: ErrorCode,
): Promise<WebTasksError> {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await promise };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) expect.fail(`expected a WebTasksError with code "${code}", but the call resolved`);
  const { error } = outcome;
  if (!WebTasksError.isInstance(error)) {
    expect.fail(`expected a WebTasksError with code "${code}", got ${String(error)}`);
  }
  expect(error.code).toBe(code);
  return error;
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `predicate` every 10 ms until it is true; fail after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) expect.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Track whether a promise has settled, without blocking (and mark its rejection handled). */
export function trackSettled(promise: Promise<unknown>): { readonly settled: boolean } {
  const state = { settled: false };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}
