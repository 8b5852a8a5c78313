import { type CompileDiagnostic, RUNTIME_DECLARATIONS } from '@webtasks/core';
import { positionOf } from './rules/rule-context.js';
import { flattenMessage } from './type-diagnostics.js';
import { createWarmProject, RUNTIME_PATH } from './warm-project.js';

/**
 * Type-check a runtime declaration on its own (with the compiler's options and libs) and
 * return its problems, positioned in the declaration text. Empty means it is clean. Costs a
 * cold project (about a second): call it in tests or at start-up, not per compile.
 */
export function checkRuntimeDeclarations(declarations: string = RUNTIME_DECLARATIONS): CompileDiagnostic[] {
  const problems = createWarmProject(declarations).runtimeDiagnostics();
  return problems.map((problem) => {
    const inFile = problem.file?.fileName === RUNTIME_PATH && problem.file !== undefined;
    const position =
      inFile && problem.file ? positionOf(problem.file, problem.start ?? 0) : { line: 1, column: 1 };
    return {
      ...position,
      message: flattenMessage(problem),
      code: `TS${problem.code}`,
      severity: 'error' as const,
    };
  });
}
