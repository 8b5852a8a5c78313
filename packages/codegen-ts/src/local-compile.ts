import { type CompileResult, WebTasksError } from '@webtasks/core';
import type { CompileSettings } from './compile-bundle.js';
import type { WarmProject } from './warm-project.js';

type CompilerEngine = typeof import('./compiler-engine.js');

/** Compiles on the calling thread with one warm ts-morph project, loaded on first use. */
export interface LocalCompile {
  compile(source: string): Promise<CompileResult>;
  warmUp(): Promise<void>;
}

/**
 * The compile itself, without queueing: ts-morph is imported on the first call, the warm
 * project built once and rebuilt after TypeScript throws. Used on the compiler's own thread
 * (`compiler-worker.ts`) and, where no thread can be started, on the caller's.
 */
export function createLocalCompile(settings: CompileSettings, runtimeDeclarations: string): LocalCompile {
  let project: WarmProject | undefined;
  let engine: CompilerEngine | undefined;

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

  return {
    async compile(source) {
      const loaded = await loadEngine();
      const rejected = loaded.precheck(source, settings);
      if (rejected) return { ok: false, diagnostics: [rejected] };
      const warm = warmProject(loaded);
      try {
        return loaded.compileWithProject(warm, source, settings);
      } catch (error) {
        // TypeScript should not throw on any input; if it does, start from a fresh project.
        project = undefined;
        return internalFailure(error instanceof Error ? error.message : String(error));
      }
    },
    async warmUp() {
      warmProject(await loadEngine());
    },
  };
}

/** The result of a compile the compiler itself could not finish. */
export function internalFailure(reason: string): CompileResult {
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
