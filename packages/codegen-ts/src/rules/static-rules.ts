import { ts } from 'ts-morph';
import { checkFileDirectives, checkForbiddenSyntax } from './forbidden-syntax.js';
import { checkGlobalReference } from './globals.js';
import { checkModuleShape } from './module-shape.js';
import { checkPageFunctionClosures, findPageFunctions, type PageFunction } from './page-functions.js';
import { checkPlaywrightMember } from './playwright-api.js';
import type { RuleContext } from './rule-context.js';

/**
 * Run every static rule over the bundle. Returns the default export node (when there is
 * exactly one) so the compiler can place the shape check's error on it.
 */
export function runStaticRules(context: RuleContext, originalSource: string): ts.Node | undefined {
  const defaultExport = checkModuleShape(context);
  checkFileDirectives(context, originalSource);
  const pageFunctions = findPageFunctions(context);
  for (const pageFunction of pageFunctions.values()) checkPageFunctionClosures(context, pageFunction);

  const visit = (node: ts.Node, insidePage: PageFunction | undefined): void => {
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    const scope = pageFunctions.get(node) ?? insidePage;
    checkForbiddenSyntax(context, node);
    if (ts.isIdentifier(node)) checkGlobalReference(context, node, scope);
    else if (!scope) checkPlaywrightMember(context, node);
    ts.forEachChild(node, (child) => visit(child, scope));
  };
  ts.forEachChild(context.sourceFile, (child) => visit(child, undefined));
  return defaultExport;
}
