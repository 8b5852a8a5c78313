import { ts } from 'ts-morph';

/**
 * True when `id` reads a variable (`fetch(…)`, `{ document }`), false when it names
 * something (a declaration, a property after a dot, an object key, a label).
 */
export function isValueReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (!parent) return false;
  if (ts.isPropertyAccessExpression(parent)) return parent.expression === id;
  if (ts.isQualifiedName(parent)) return false;
  if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.initializer === id;
  if (ts.isPropertySignature(parent)) return false;
  if (ts.isMethodDeclaration(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent)) return false;
  if (ts.isBindingElement(parent)) return parent.initializer === id;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isParameter(parent) ||
    ts.isFunctionDeclaration(parent) ||
    ts.isFunctionExpression(parent) ||
    ts.isClassDeclaration(parent) ||
    ts.isClassExpression(parent) ||
    ts.isEnumDeclaration(parent) ||
    ts.isEnumMember(parent) ||
    ts.isModuleDeclaration(parent)
  ) {
    return (
      (parent as { name?: ts.Node }).name !== id && (parent as { initializer?: ts.Node }).initializer === id
    );
  }
  if (ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return false;
  if (ts.isExportSpecifier(parent))
    return parent.propertyName === id || (!parent.propertyName && parent.name === id);
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (ts.isMetaProperty(parent)) return false;
  return true;
}

/** The symbol a value reference reads (for `{ x }` shorthand, the variable, not the property). */
export function referencedSymbol(checker: ts.TypeChecker, id: ts.Identifier): ts.Symbol | undefined {
  if (id.parent && ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id) {
    return checker.getShorthandAssignmentValueSymbol(id.parent);
  }
  return checker.getSymbolAtLocation(id);
}

/** Where a symbol comes from, as far as the rules care. */
export type SymbolOrigin = 'bundle' | 'dom-lib' | 'es-lib' | 'runtime' | 'unresolved';

/** Classify the declarations of a referenced symbol. */
export function symbolOrigin(
  program: ts.Program,
  bundle: ts.SourceFile,
  symbol: ts.Symbol | undefined,
): SymbolOrigin {
  const declarations = symbol?.declarations ?? [];
  if (declarations.length === 0) {
    // `globalThis` and `undefined` have no declaration: they are ECMAScript's own.
    return symbol ? 'es-lib' : 'unresolved';
  }
  if (declarations.some((declaration) => declaration.getSourceFile() === bundle)) return 'bundle';
  const files = declarations.map((declaration) => declaration.getSourceFile());
  if (files.every((file) => program.isSourceFileDefaultLibrary(file))) {
    return files.every((file) => /lib\.dom[.\w]*\.d\.ts$/.test(file.fileName)) ? 'dom-lib' : 'es-lib';
  }
  return 'runtime';
}
