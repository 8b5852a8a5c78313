import {
  abortedError,
  type CodeCompiler,
  type CompileResult,
  RUNTIME_DECLARATIONS,
  throwIfAborted,
  WebTasksError,
} from '@webtasks/core';
import type { CompileSettings } from './compile-bundle.js';
import { compilerVersion } from './compiler-version.js';
import type { WarmProject } from './warm-project.js';

type CompilerEngine = typeof import('./compiler-engine.js');

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
}

/** The ts-morph compiler: a `CodeCompiler` plus a way to pay the cold start early. */
export interface TsMorphCodeCompiler extends CodeCompiler {
  readonly version: string;
  /** Load ts-morph and build the warm project now (a second or more) instead of on the first compile. */
  warmUp(): Promise<void>;
}

const DEFAULT_MAX_SOURCE_BYTES = 1024 * 1024;
const DEFAULT_MAX_DIAGNOSTICS = 50;

/**
 * Create a `CodeCompiler` on ts-morph. ts-morph is loaded on the first compile (or `warmUp`),
 * not when this package is imported, so a process that only runs stored JavaScript never
 * loads it. It keeps one in-memory project warm (lib files parsed once, only the bundle's
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
  let project: WarmProject | undefined;
  let engine: CompilerEngine | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const loadEngine = async (): Promise<CompilerEngine> => {
    engine ??= await import('./compiler-engine.js');
    return engine;
  };

  const warmProject = (loaded: CompilerEngine): WarmProject => {
    if (project) return project;
    const created = loaded.createWarmProject(runtimeDeclarations);
    const problems = created.runtimeDiagnostics();
    if (problems.length > 0) {
      throw new WebTasksError({
        code: 'invalid-config',
        message: `[webtasks:codegen-ts] The runtime declarations do not type-check (${problems.map(loaded.flattenMessage).join('; ')}): fix \`runtimeDeclarations\`.`,
      });
    }
    project = created;
    return created;
  };

  const compileNow = async (source: string): Promise<CompileResult> => {
    const loaded = await loadEngine();
    const rejected = loaded.precheck(source, settings);
    if (rejected) return { ok: false, diagnostics: [rejected] };
    const warm = warmProject(loaded);
    try {
      return loaded.compileWithProject(warm, source, settings);
    } catch (error) {
      // TypeScript should not throw on any input; if it does, start from a fresh project.
      project = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        diagnostics: [
          {
            line: 1,
            column: 1,
            code: 'webtasks/internal',
            message: `[webtasks:codegen-ts] The compiler failed on this source (${reason}): simplify the code and try again.`,
            severity: 'error',
          },
        ],
      };
    }
  };

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
        return enqueue(() => compileNow(source), signal);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    warmUp() {
      return enqueue(async () => {
        warmProject(await loadEngine());
      }, undefined);
    },
  };
}
