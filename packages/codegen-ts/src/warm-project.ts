import { Project, type SourceFile, ts } from 'ts-morph';

/** Where the bundle lives in the in-memory file system. */
export const BUNDLE_PATH = '/bundle.ts';
/** Where the runtime declaration lives in the in-memory file system. */
export const RUNTIME_PATH = '/webtasks-runtime.d.ts';
/** A hidden file that asserts the default export accepts a `TaskContext`. */
export const SHAPE_CHECK_PATH = '/webtasks-shape-check.ts';

const SHAPE_CHECK_SOURCE = `import type { TaskContext } from 'webtasks:runtime';
import run from './bundle';
export const shapeCheck: (ctx: TaskContext<any>) => unknown = run;
`;

/**
 * Compiler options of the type-check. The libs are ES2023 (what the isolate's V8 has) plus
 * the DOM, so functions passed to `page.evaluate` can use `document` and `HTMLElement`; the
 * static rules reject DOM globals everywhere else.
 *
 * `noImplicitAny` is on: without it `const rows = []` is typed `never[]` and every `push`
 * fails, which trips models far more often than an unannotated parameter does.
 * `useUnknownInCatchVariables` is off: it makes the model annotate code that works.
 * `strictNullChecks` stays on: `(await el.textContent()).trim()` really does crash.
 */
export const TYPE_CHECK_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  types: [],
  strict: true,
  noImplicitAny: true,
  useUnknownInCatchVariables: false,
  noImplicitReturns: false,
  noFallthroughCasesInSwitch: true,
  allowUnreachableCode: true,
  noEmit: true,
  isolatedModules: true,
  skipLibCheck: false,
};

/** One checked version of the bundle. Valid until the next `check`. */
export interface CheckedBundle {
  program: ts.Program;
  checker: ts.TypeChecker;
  sourceFile: ts.SourceFile;
  syntactic: readonly ts.Diagnostic[];
  /** Semantic diagnostics; empty when there are syntax errors (they would only add noise). */
  semantic: readonly ts.Diagnostic[];
  /** Diagnostics of the hidden shape check (does `run` accept a `TaskContext`?). */
  shape: readonly ts.Diagnostic[];
}

/** A ts-morph project kept warm between checks: only the bundle's text changes. */
export interface WarmProject {
  /** Replace the bundle's text and type-check it. */
  check(source: string): CheckedBundle;
  /** Type errors in the runtime declaration itself (lib files are not checked). */
  runtimeDiagnostics(): readonly ts.Diagnostic[];
}

/** Create the in-memory project holding the runtime declaration, the bundle and the shape check. */
export function createWarmProject(runtimeDeclarations: string): WarmProject {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: TYPE_CHECK_OPTIONS });
  project.createSourceFile(RUNTIME_PATH, runtimeDeclarations);
  project.createSourceFile(SHAPE_CHECK_PATH, SHAPE_CHECK_SOURCE);
  let bundle: SourceFile = project.createSourceFile(BUNDLE_PATH, '');

  return {
    check(source) {
      // Forget the previous bundle, then add the new text; lib files stay parsed in the document
      // registry. (`overwrite: true` would wrap every child of the old file, and ts-morph's comment
      // parsing of those is quadratic on a long garbage line.)
      project.removeSourceFile(bundle);
      bundle = project.createSourceFile(BUNDLE_PATH, source);
      const program = project.getProgram().compilerObject;
      const sourceFile = program.getSourceFile(BUNDLE_PATH) ?? bundle.compilerNode;
      const syntactic = program.getSyntacticDiagnostics(sourceFile);
      const failedToParse = syntactic.some((d) => d.category === ts.DiagnosticCategory.Error);
      const semantic = failedToParse ? [] : program.getSemanticDiagnostics(sourceFile);
      const shapeFile = program.getSourceFile(SHAPE_CHECK_PATH);
      const shape = failedToParse || !shapeFile ? [] : program.getSemanticDiagnostics(shapeFile);
      return { program, checker: program.getTypeChecker(), sourceFile, syntactic, semantic, shape };
    },
    runtimeDiagnostics() {
      const program = project.getProgram().compilerObject;
      const runtime = program.getSourceFile(RUNTIME_PATH);
      if (!runtime) return [];
      return [
        ...program.getOptionsDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...program.getSyntacticDiagnostics(runtime),
        ...program.getSemanticDiagnostics(runtime),
      ];
    },
  };
}
