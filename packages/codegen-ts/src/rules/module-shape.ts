import { RUNTIME_MODULE_NAME } from '@webtasks/core';
import { ts } from 'ts-morph';
import type { RuleContext } from './rule-context.js';

const RUN_SHAPE =
  "`import type { TaskContext } from 'webtasks:runtime';` then `export default async function run(ctx: TaskContext) { … }`";

/** True for `import type …` and `import { type A, type B }` (nothing left at run time). */
function isTypeOnlyImport(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return (
    !!bindings && ts.isNamedImports(bindings) && bindings.elements.every((element) => element.isTypeOnly)
  );
}

function checkImport(context: RuleContext, node: ts.ImportDeclaration): void {
  const specifier = ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : '';
  if (specifier === RUNTIME_MODULE_NAME && isTypeOnlyImport(node.importClause)) return;
  if (specifier === RUNTIME_MODULE_NAME) {
    context.report(
      node,
      'no-import',
      "'webtasks:runtime' has only types: write `import type { TaskContext } from 'webtasks:runtime';` and use `ctx` for everything at run time.",
    );
    return;
  }
  const hint = /playwright/.test(specifier)
    ? `Playwright is already there: the page is \`ctx.page\`. Import only types: ${RUN_SHAPE}.`
    : "The bundle is one module and the sandbox has no packages: the only import allowed is `import type { … } from 'webtasks:runtime'`; use what `ctx` provides.";
  context.reportCovering(node, 'no-import', `Importing '${specifier}' is not allowed. ${hint}`);
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

/** True for declarations that leave nothing at run time (interfaces, type aliases). */
function isTypeOnlyStatement(node: ts.Node): boolean {
  return ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node);
}

/**
 * Rules on the module's shape: imports (`no-import`), exactly one default export that is a
 * function accepting the context (`default-export`), no value exports besides it
 * (`named-export`, a warning: the sandbox ignores them).
 * Returns the node of the default export, when there is exactly one.
 */
export function checkModuleShape(context: RuleContext): ts.Node | undefined {
  const defaults: ts.Node[] = [];
  for (const statement of context.sourceFile.statements) {
    if (ts.isImportDeclaration(statement)) {
      checkImport(context, statement);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      context.reportCovering(
        statement,
        'no-import',
        `\`import … = require(…)\` is not allowed. Write ${RUN_SHAPE}.`,
      );
    } else if (ts.isExportAssignment(statement)) {
      if (statement.isExportEquals) {
        context.report(statement, 'default-export', `\`export =\` is not supported: write ${RUN_SHAPE}.`);
      } else {
        defaults.push(statement);
      }
    } else if (ts.isExportDeclaration(statement)) {
      if (statement.moduleSpecifier) {
        context.reportCovering(
          statement,
          'no-import',
          'Re-exporting from another module is not allowed: a bundle is one module.',
        );
      } else if (
        !statement.isTypeOnly &&
        statement.exportClause &&
        ts.isNamedExports(statement.exportClause)
      ) {
        for (const element of statement.exportClause.elements) {
          if (element.isTypeOnly) continue;
          if (element.name.text === 'default') defaults.push(element);
          else namedExport(context, element);
        }
      }
    } else if (hasModifier(statement, ts.SyntaxKind.ExportKeyword) && !isTypeOnlyStatement(statement)) {
      if (hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) defaults.push(statement);
      else namedExport(context, statement);
    }
  }

  if (defaults.length === 0) {
    context.report(0, 'default-export', `The bundle has no default export. Write ${RUN_SHAPE}.`);
    return undefined;
  }
  for (const extra of defaults.slice(1)) {
    context.report(
      extra,
      'default-export',
      'A bundle has exactly one default export, the `run(ctx)` function: remove this one.',
    );
  }
  const [only] = defaults;
  if (defaults.length === 1 && only && ts.isClassDeclaration(only)) {
    context.report(
      only,
      'default-export',
      `The default export must be a function, not a class. Write ${RUN_SHAPE}.`,
    );
    return undefined;
  }
  return defaults.length === 1 ? only : undefined;
}

function namedExport(context: RuleContext, node: ts.Node): void {
  context.report(
    node,
    'named-export',
    'Only the default export runs: this export is ignored. Keep helpers as plain (unexported) functions and constants.',
    'warning',
  );
}

/**
 * Turn the hidden shape check's type error (the default export does not accept a
 * `TaskContext`) into a `default-export` diagnostic at the default export.
 */
export function reportShapeMismatch(
  context: RuleContext,
  defaultExport: ts.Node,
  typeScriptMessage: string,
): void {
  context.report(
    defaultExport,
    'default-export',
    `The default export must be a function that takes the context: ${RUN_SHAPE}. TypeScript says: ${typeScriptMessage}`,
  );
}
