import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { abortedError, type CodeCompiler, RUNTIME_DECLARATIONS, throwIfAborted } from '@webtasks/core';
import type { CompileSettings } from './compile-bundle.js';
import { compilerVersion } from './compiler-version.js';
import { createLocalCompile, type LocalCompile } from './local-compile.js';
import { createThreadCompile } from './thread-compile.js';

/** Options of `createTsMorphCompiler`. */
export interface TsMorphCompilerOptions {
  /** Largest source accepted, in UTF-8 bytes; larger ones get a `webtasks/source-too-large` diagnostic. Default 1 MiB. */
  maxSourceBytes?: number;
  /** Most diagnostics returned by one compile (a note says how many were left out). Default 50. */
  maxDiagnostics?: number;
  /**
   * Browser globals the sandbox provides after all (for example `['URL', 'URLSearchParams']`
   * when its prelude implements them). By default every DOM global is refused outside
   * functions passed to `page.evaluate`.
   */
  allowedGlobals?: readonly string[];
  /** The runtime declaration bundles are checked against. Default: `RUNTIME_DECLARATIONS` of `@webtasks/core`. */
  runtimeDeclarations?: string;
  /**
   * Compile on a worker thread of its own (default: true wherever the built package runs), so
   * a type-check — over a second cold, tens of milliseconds warm — never holds up the event
   * loop that answers HTTP requests, bridged calls and the browser. `false` compiles on the
   * caller's thread. Run from the TypeScript sources (the project's own tests), compiles run
   * on the caller's thread whatever this says.
   */
  thread?: boolean;
}

/** The ts-morph compiler: a `CodeCompiler` plus a way to pay the cold start early. */
export interface TsMorphCodeCompiler extends CodeCompiler {
  readonly version: string;
  /** Load ts-morph and build the warm project now (a second or more) instead of on the first compile. */
  warmUp(): Promise<void>;
  /** Stop the compiler's thread, if it started one (idempotent; a later compile starts a new one). */
  close(): Promise<void>;
}

const DEFAULT_MAX_SOURCE_BYTES = 1024 * 1024;
const DEFAULT_MAX_DIAGNOSTICS = 50;
/** The compiler thread's module, beside this one in the built package (`dist/`). */
const WORKER_URL = new URL('./compiler-worker.js', import.meta.url);

/**
 * Create a `CodeCompiler` on ts-morph. ts-morph is loaded on the first compile (or `warmUp`),
 * not when this package is imported, so a process that only runs stored JavaScript never
 * loads it; it runs on a worker thread of its own (see `thread`). It keeps one in-memory project warm (lib files parsed once, only the bundle's
 * text replaced), so a check costs tens of milliseconds after the first. Compiles run one at
 * a time in call order.
 *
 * @example
 * const compiler = createTsMorphCompiler();
 * const result = await compiler.compile({ source });
 * if (result.ok) await sandbox.run({ code: result.javascript, params, host });
 */
export function createTsMorphCompiler(options: TsMorphCompilerOptions = {}): TsMorphCodeCompiler {
  const settings: CompileSettings = {
    maxSourceBytes: options.maxSourceBytes ?? DEFAULT_MAX_SOURCE_BYTES,
    maxDiagnostics: options.maxDiagnostics ?? DEFAULT_MAX_DIAGNOSTICS,
    allowedGlobals: new Set(options.allowedGlobals ?? []),
  };
  const runtimeDeclarations = options.runtimeDeclarations ?? RUNTIME_DECLARATIONS;
  const version = compilerVersion({ runtimeDeclarations, ...settings });
  const threaded = options.thread !== false && existsSync(fileURLToPath(WORKER_URL));
  const local: LocalCompile & { close?: () => Promise<void> } = threaded
    ? createThreadCompile(WORKER_URL, {
        settings: { ...settings, allowedGlobals: [...settings.allowedGlobals] },
        runtimeDeclarations,
      })
    : createLocalCompile(settings, runtimeDeclarations);
  let queue: Promise<unknown> = Promise.resolve();

  /** Run `job` after every earlier call; stop waiting (and skip the job) when `signal` aborts. */
  const enqueue = <T>(job: () => T | Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
    throwIfAborted(signal, 'Compiling');
    const run = queue.then(() => {
      throwIfAborted(signal, 'Compiling');
      return job();
    });
    queue = run.catch(() => undefined);
    if (!signal) return run;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(abortedError(signal, 'Compiling'));
      signal.addEventListener('abort', onAbort, { once: true });
      run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  };

  return {
    specificationVersion: 'v1',
    version,
    compile({ source, signal }) {
      try {
        return enqueue(() => local.compile(source), signal);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    warmUp() {
      return enqueue(() => local.warmUp(), undefined);
    },
    async close() {
      await local.close?.();
    },
  };
}
