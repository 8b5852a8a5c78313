import type { ts } from 'ts-morph';
import { browserApiAdvice, globalAdvice, isRefusedEverywhere } from './global-alternatives.js';
import type { PageFunction } from './page-functions.js';
import { isValueReference, referencedSymbol, symbolOrigin } from './references.js';
import type { RuleContext } from './rule-context.js';

/**
 * Rules on globals: Node's (`require`, `process`…), `eval`/`Function`, the global object,
 * and browser APIs (`fetch`, `document`, timers…) outside functions that run in the page.
 * A name the bundle declares itself is never a global.
 */
export function checkGlobalReference(
  context: RuleContext,
  id: ts.Identifier,
  insidePage: PageFunction | undefined,
): void {
  if (!isValueReference(id)) return;
  const name = id.text;
  if (context.allowedGlobals.has(name)) return;
  const origin = symbolOrigin(context.program, context.sourceFile, referencedSymbol(context.checker, id));
  if (origin === 'bundle' || origin === 'runtime') return;

  const advice = globalAdvice(name);
  if (insidePage) {
    if (advice && isRefusedEverywhere(name)) context.report(id, advice.rule, advice.message);
    return;
  }
  if (advice && (origin !== 'es-lib' || advice.rule === 'no-eval' || advice.rule === 'no-global-object')) {
    context.report(id, advice.rule, advice.message);
    return;
  }
  if (origin === 'dom-lib') {
    const generic = browserApiAdvice(name);
    context.report(id, generic.rule, generic.message);
  }
}
