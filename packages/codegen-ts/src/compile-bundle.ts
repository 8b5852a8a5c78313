import type { CompileDiagnostic, CompileResult } from '@webtasks/core';
import { neutralizeReferenceDirectives } from './rules/forbidden-syntax.js';
import { reportShapeMismatch } from './rules/module-shape.js';
import { createRuleContext, type PositionedDiagnostic } from './rules/rule-context.js';
import { runStaticRules } from './rules/static-rules.js';
import { findUnreasonableShape } from './shape-guard.js';
import { transpileBundle } from './transpile.js';
import { flattenMessage, toCompileDiagnostics } from './type-diagnostics.js';
import type { WarmProject } from './warm-project.js';

/** Settings of one compile, resolved from the compiler's options. */
export interface CompileSettings {
  maxSourceBytes: number;
  maxDiagnostics: number;
  allowedGlobals: ReadonlySet<string>;
}

function diagnostic(code: string, message: string, line = 1, column = 1): CompileDiagnostic {
  return { line, column, message, code, severity: 'error' };
}

/** Reject what is not worth parsing: too large, not a string, not text. */
export function precheck(source: unknown, settings: CompileSettings): CompileDiagnostic | undefined {
  if (typeof source !== 'string') {
    return diagnostic(
      'webtasks/not-text',
      `The source must be a string of TypeScript, got ${typeof source}.`,
    );
  }
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > settings.maxSourceBytes) {
    return diagnostic(
      'webtasks/source-too-large',
      `The source is ${bytes} bytes; the limit is ${settings.maxSourceBytes}. Write a shorter bundle: loop over the page instead of unrolling, and keep data out of the code.`,
    );
  }
  const nesting = findUnreasonableShape(source);
  if (nesting) return diagnostic(nesting.code, nesting.message, nesting.line, nesting.column);
  const nul = source.indexOf('\u0000');
  if (nul >= 0) {
    const before = source.slice(0, nul).split('\n');
    return diagnostic(
      'webtasks/not-text',
      'The source contains a NUL character: send TypeScript text, not binary data.',
      before.length,
      (before.at(-1)?.length ?? 0) + 1,
    );
  }
  return undefined;
}

function byPosition(a: CompileDiagnostic, b: CompileDiagnostic): number {
  return (
    a.line - b.line ||
    a.column - b.column ||
    a.code.localeCompare(b.code) ||
    a.message.localeCompare(b.message)
  );
}

/** Sort, drop duplicates, cap the count (with a note saying how many were left out). */
function finish(diagnostics: CompileDiagnostic[], max: number): CompileDiagnostic[] {
  const seen = new Set<string>();
  const unique = diagnostics
    .map(({ line, column, message, code, severity }) => ({ line, column, message, code, severity }))
    .sort(byPosition)
    .filter((d) => {
      const key = `${d.line}:${d.column}:${d.code}:${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  if (unique.length <= max) return unique;
  const kept = unique.slice(0, max);
  const last = kept.at(-1);
  kept.push({
    line: last?.line ?? 1,
    column: last?.column ?? 1,
    code: 'webtasks/too-many-diagnostics',
    message: `${unique.length - max} more problems were left out: fix these first.`,
    severity: 'error',
  });
  return kept;
}

/** Check one source with the warm project and, when it is clean, transpile it. */
export function compileWithProject(
  project: WarmProject,
  source: string,
  settings: CompileSettings,
): CompileResult {
  const checked = project.check(neutralizeReferenceDirectives(source));
  const { sourceFile } = checked;
  const syntaxErrors = toCompileDiagnostics(sourceFile, checked.syntactic);
  if (syntaxErrors.some((d) => d.severity === 'error')) {
    return { ok: false, diagnostics: finish(syntaxErrors, settings.maxDiagnostics) };
  }

  const ruleDiagnostics: PositionedDiagnostic[] = [];
  const context = createRuleContext(checked, settings.allowedGlobals, ruleDiagnostics);
  const defaultExport = runStaticRules(context, source);
  const shapeError = checked.shape[0];
  if (defaultExport && shapeError) reportShapeMismatch(context, defaultExport, flattenMessage(shapeError));

  // A rule and TypeScript often flag the same spot (`process` → "Cannot find name"): keep the rule's advice.
  const ruleStarts = new Set(ruleDiagnostics.map((d) => d.start));
  const covered = ruleDiagnostics.filter((d) => d.end !== undefined);
  const typeDiagnostics = toCompileDiagnostics(sourceFile, checked.semantic).filter(
    (d) =>
      !ruleStarts.has(d.start) && !covered.some((c) => d.start >= c.start && d.start < (c.end ?? c.start)),
  );
  const diagnostics = finish(
    [...syntaxErrors, ...ruleDiagnostics, ...typeDiagnostics],
    settings.maxDiagnostics,
  );
  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics };
  return { ok: true, javascript: transpileBundle(source), diagnostics };
}
