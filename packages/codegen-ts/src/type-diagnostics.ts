import { ts } from 'ts-morph';
import { playwrightAlternative, subsetHint } from './rules/playwright-alternatives.js';
import { type PositionedDiagnostic, positionOf } from './rules/rule-context.js';

/** TypeScript's message as one line (its chain of explanations joined). */
export function flattenMessage(diagnostic: ts.Diagnostic): string {
  return ts
    .flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' ')
    .replaceAll('TaskContext<{ [key: string]: any; }>', 'TaskContext');
}

const MISSING_MEMBER =
  /^Property '([^']+)' does not exist on type '(Page|Locator|TaskContext|Files|Ai|Log)\b/;

/**
 * Add the webtasks alternative to "Property 'x' does not exist on type 'Page'" (and the
 * other runtime interfaces) when TypeScript reports it where the static rule did not
 * (destructuring, for instance).
 */
export function improveMessage(code: number, message: string): string {
  const advice = message.indexOf(' Do you need to ');
  if (advice > 0) {
    // "Cannot find name 'x'. Do you need to install type definitions for node?": advice for a project, not a bundle.
    return `${message.slice(0, advice)} It is not available to bundle code: use what \`ctx\` provides.`;
  }
  if (code !== 2339 && code !== 2551) return message;
  const match = MISSING_MEMBER.exec(message);
  if (!match) return message;
  const [, member = '', interfaceName = ''] = match;
  const alternative = playwrightAlternative(interfaceName, member);
  return `${message} ${alternative ?? subsetHint(interfaceName)}`;
}

/** Convert TypeScript diagnostics of the bundle file to compile diagnostics (errors and warnings only). */
export function toCompileDiagnostics(
  sourceFile: ts.SourceFile,
  diagnostics: readonly ts.Diagnostic[],
): PositionedDiagnostic[] {
  const converted: PositionedDiagnostic[] = [];
  for (const diagnostic of diagnostics) {
    const severity =
      diagnostic.category === ts.DiagnosticCategory.Error
        ? 'error'
        : diagnostic.category === ts.DiagnosticCategory.Warning
          ? 'warning'
          : undefined;
    if (!severity) continue;
    const start = diagnostic.file === sourceFile ? (diagnostic.start ?? 0) : 0;
    converted.push({
      ...positionOf(sourceFile, start),
      start,
      message: improveMessage(diagnostic.code, flattenMessage(diagnostic)),
      code: `TS${diagnostic.code}`,
      severity,
    });
  }
  return converted;
}
