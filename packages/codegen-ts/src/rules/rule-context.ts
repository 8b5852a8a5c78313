import type { CompileDiagnostic } from '@webtasks/core';
import { ts } from 'ts-morph';

/** A diagnostic plus its offset in the source, so type errors at the same spot can be dropped. */
export interface PositionedDiagnostic extends CompileDiagnostic {
  /** 0-based offset of the reported node's first character. */
  start: number;
  /** When set, type errors anywhere in [start, end) are dropped too (an import the rule refuses). */
  end?: number;
}

/** What every static rule receives. */
export interface RuleContext {
  sourceFile: ts.SourceFile;
  checker: ts.TypeChecker;
  program: ts.Program;
  /** Globals the sandbox provides beyond ECMAScript (compiler option `allowedGlobals`). */
  allowedGlobals: ReadonlySet<string>;
  /** Report a problem at `node` (or at a raw offset). */
  report(at: ts.Node | number, rule: string, message: string, severity?: 'error' | 'warning'): void;
  /** Report at `node` and silence TypeScript's errors inside it (they only restate the problem). */
  reportCovering(node: ts.Node, rule: string, message: string): void;
}

/** Create a rule context that collects into `into`. */
export function createRuleContext(
  bundle: { sourceFile: ts.SourceFile; checker: ts.TypeChecker; program: ts.Program },
  allowedGlobals: ReadonlySet<string>,
  into: PositionedDiagnostic[],
): RuleContext {
  const { sourceFile } = bundle;
  return {
    ...bundle,
    allowedGlobals,
    report(at, rule, message, severity = 'error') {
      const start = typeof at === 'number' ? at : at.getStart(sourceFile);
      into.push({ ...positionOf(sourceFile, start), start, message, code: `webtasks/${rule}`, severity });
    },
    reportCovering(node, rule, message) {
      const start = node.getStart(sourceFile);
      into.push({
        ...positionOf(sourceFile, start),
        start,
        end: node.end,
        message,
        code: `webtasks/${rule}`,
        severity: 'error',
      });
    },
  };
}

/** 1-based line and column of an offset. */
export function positionOf(sourceFile: ts.SourceFile, offset: number): { line: number; column: number } {
  const clamped = Math.max(0, Math.min(offset, sourceFile.text.length));
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(clamped);
  return { line: line + 1, column: character + 1 };
}

/** Visit every node of the file, skipping type annotations (they never run). */
export function walkValues(node: ts.Node, visit: (node: ts.Node) => void): void {
  const recurse = (child: ts.Node): void => {
    if (ts.isTypeNode(child) && !ts.isExpressionWithTypeArguments(child)) return;
    if (ts.isInterfaceDeclaration(child) || ts.isTypeAliasDeclaration(child)) return;
    visit(child);
    ts.forEachChild(child, recurse);
  };
  ts.forEachChild(node, recurse);
}

/** The name of a property access or of a string-literal element access, else undefined. */
export function accessedName(
  node: ts.Node,
): { name: string; nameNode: ts.Node; receiver: ts.Expression } | undefined {
  if (ts.isPropertyAccessExpression(node)) {
    return { name: node.name.text, nameNode: node.name, receiver: node.expression };
  }
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
    return {
      name: node.argumentExpression.text,
      nameNode: node.argumentExpression,
      receiver: node.expression,
    };
  }
  return undefined;
}
