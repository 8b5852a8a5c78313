import type { ts } from 'ts-morph';
import { ADVISED_INTERFACES, playwrightAlternative } from './playwright-alternatives.js';
import { accessedName, type RuleContext } from './rule-context.js';

/** The name of the `webtasks:runtime` interface a type is, if it is one. */
export function runtimeInterfaceName(context: RuleContext, type: ts.Type): string | undefined {
  const symbol = type.aliasSymbol ?? type.getSymbol();
  const declaration = symbol?.declarations?.[0];
  if (!symbol || !declaration) return undefined;
  const file = declaration.getSourceFile();
  if (file === context.sourceFile || context.program.isSourceFileDefaultLibrary(file)) return undefined;
  return ADVISED_INTERFACES.has(symbol.name) ? symbol.name : undefined;
}

/**
 * Rule `unsupported-api`: a Playwright member that the webtasks subset lacks
 * (`page.waitForNavigation`, `page.click(selector)`, `locator.elementHandle()`…), with
 * the member to use instead. Members with no known alternative are left to TypeScript's
 * own error (TS2339), whose message the compiler extends with a hint.
 */
export function checkPlaywrightMember(context: RuleContext, node: ts.Node): void {
  const access = accessedName(node);
  if (!access) return;
  const type = context.checker.getNonNullableType(context.checker.getTypeAtLocation(access.receiver));
  const interfaceName = runtimeInterfaceName(context, type);
  if (!interfaceName || context.checker.getPropertyOfType(type, access.name)) return;
  const alternative = playwrightAlternative(interfaceName, access.name);
  if (alternative) context.report(access.nameNode, 'unsupported-api', alternative);
}
