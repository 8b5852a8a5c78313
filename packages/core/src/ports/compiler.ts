import type { CallOptions } from './common.js';

/** One problem found in generated source. */
export interface CompileDiagnostic {
  /** 1-based line in the TypeScript source. */
  line: number;
  /** 1-based column. */
  column: number;
  /** What is wrong and what to use instead, written for the model that wrote the code. */
  message: string;
  /** `TS2339` for type errors, `webtasks/<rule>` for the static rules. */
  code: string;
  severity: 'error' | 'warning';
}

/** The result of compiling a bundle's source. */
export type CompileResult =
  | { ok: true; javascript: string; diagnostics: CompileDiagnostic[] }
  | { ok: false; diagnostics: CompileDiagnostic[] };

/**
 * Checks generated TypeScript (static rules + a type-check against the runtime
 * declaration) and transpiles it to the JavaScript shape `Sandbox.run` takes.
 */
export interface CodeCompiler {
  readonly specificationVersion: 'v1';
  /**
   * Identifies what this compiler emits (its implementation, the TypeScript it uses, its
   * settings and the runtime declaration it checks against). JavaScript it compiled is stored
   * with bundle versions under this value and reused without compiling by any compiler with
   * the same value, in any process. Change it whenever the output or the checks may change.
   * Without it, nothing is stored and saved code is compiled before every first run in a process.
   */
  readonly version?: string;
  /** Check and transpile one module whose default export is `run(ctx)`. */
  compile(options: { source: string } & CallOptions): Promise<CompileResult>;
}
