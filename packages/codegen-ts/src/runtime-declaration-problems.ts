import type { CompileDiagnostic } from '@webtasks/core';
import { positionOf } from './rules/rule-context.js';
import { flattenMessage } from './type-diagnostics.js';
import { createWarmProject, RUNTIME_PATH } from './warm-project.js';

/** The problems of a runtime declaration; see `checkRuntimeDeclarations` (this module loads ts-morph). */
export function runtimeDeclarationProblems(declarations: string): CompileDiagnostic[] {
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
