import { type CompileDiagnostic, RUNTIME_DECLARATIONS } from '@webtasks/core';

/**
 * Type-check a runtime declaration on its own (with the compiler's options and libs) and
 * return its problems, positioned in the declaration text. Empty means it is clean. Loads
 * ts-morph and costs a cold project (a second or more): call it in tests or at start-up, not
 * per compile.
 */
export async function checkRuntimeDeclarations(
  declarations: string = RUNTIME_DECLARATIONS,
): Promise<CompileDiagnostic[]> {
  const { runtimeDeclarationProblems } = await import('./runtime-declaration-problems.js');
  return runtimeDeclarationProblems(declarations);
}
