import { ts } from 'ts-morph';

/**
 * Emit options: CommonJS so the sandbox can evaluate the code with `module` and `exports` in
 * scope (`exports.default = run`), ES2022 so async/await, optional chaining and class fields
 * stay as written (V8 isolates run them natively). Type-only imports are erased, and the
 * static rules admit no other import, so no `require` is emitted.
 */
const EMIT_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  sourceMap: false,
  inlineSourceMap: false,
  removeComments: false,
  newLine: ts.NewLineKind.LineFeed,
};

/** Transpile a checked bundle to the JavaScript `Sandbox.run` takes. */
export function transpileBundle(source: string): string {
  return ts.transpileModule(source, {
    compilerOptions: EMIT_OPTIONS,
    fileName: 'bundle.ts',
    reportDiagnostics: false,
  }).outputText;
}
