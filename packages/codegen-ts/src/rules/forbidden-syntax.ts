import { ts } from 'ts-morph';
import { accessedName, type RuleContext } from './rule-context.js';

const REFUSED_TRICK =
  'Reaching constructors and prototypes is not allowed in bundle code: write plain code against `ctx`.';

/** Per-node rules on syntax: dynamic import, `import.meta`, `with`, `debugger`, prototype tricks, `declare`. */
export function checkForbiddenSyntax(context: RuleContext, node: ts.Node): void {
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
    context.reportCovering(
      node,
      'no-import',
      'Dynamic `import()` is not available: a bundle is one module. Use what `ctx` provides (`ctx.page`, `ctx.files`, `ctx.ai`, `ctx.log`).',
    );
    return;
  }
  if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
    context.report(node, 'no-import', '`import.meta` is not available: read inputs from `ctx.params`.');
    return;
  }
  if (isTopLevelAwait(node)) {
    context.report(
      node,
      'no-top-level-await',
      '`await` outside a function runs before the task has a context: move the code into `run(ctx)`.',
    );
    return;
  }
  if (ts.isWithStatement(node)) {
    context.report(node, 'no-with', '`with` is not allowed: name the object explicitly.');
    return;
  }
  if (ts.isDebuggerStatement(node)) {
    context.report(node, 'no-debugger', '`debugger` is not allowed: log with `ctx.log.debug(…)` instead.');
    return;
  }
  if (
    ts.canHaveModifiers(node) &&
    ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)
  ) {
    context.report(
      node,
      'no-declare',
      'Ambient `declare` is not allowed: it cannot add what the sandbox lacks. Use only what `webtasks:runtime` declares.',
    );
    return;
  }
  if (ts.isModuleDeclaration(node)) {
    context.report(
      node,
      'no-declare',
      'Namespaces and module declarations are not allowed: use functions and constants.',
    );
    return;
  }
  const access = accessedName(node);
  if (!access) return;
  if (access.name === '__proto__') {
    context.report(access.nameNode, 'no-prototype-tricks', `\`__proto__\` is not allowed. ${REFUSED_TRICK}`);
    return;
  }
  if (access.name === 'constructor' && reachesFunctionConstructor(context, access.receiver)) {
    context.report(
      access.nameNode,
      'no-prototype-tricks',
      `\`.constructor\` of a function (or of \`.constructor\`) is not allowed: it reaches \`Function\`. ${REFUSED_TRICK}`,
    );
  }
}

function isTopLevelAwait(node: ts.Node): boolean {
  const awaits =
    ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined);
  if (!awaits) return false;
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (ts.isFunctionLike(parent) || ts.isClassStaticBlockDeclaration(parent)) return false;
  }
  return true;
}

/** `x.constructor.constructor`, `fn.constructor`, `(anything: any).constructor`. */
function reachesFunctionConstructor(context: RuleContext, receiver: ts.Expression): boolean {
  const inner = accessedName(receiver);
  if (inner?.name === 'constructor') return true;
  const type = context.checker.getTypeAtLocation(receiver);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  return type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0;
}

const REFERENCE_DIRECTIVE = /^([ \t]*)\/\/\/(?=[ \t]*<reference\b)/gm;

/**
 * Turn `/// <reference …>` directives into plain comments of the same length, so they
 * cannot pull lib files or other files into the warm project. `checkFileDirectives`
 * reports them from the original text.
 */
export function neutralizeReferenceDirectives(source: string): string {
  return source.replace(REFERENCE_DIRECTIVE, '$1// ');
}

/** File-level rules on the original text: `/// <reference …>` directives and `@ts-nocheck`. */
export function checkFileDirectives(context: RuleContext, originalSource: string): void {
  for (const match of originalSource.matchAll(REFERENCE_DIRECTIVE)) {
    context.report(
      match.index + (match[1]?.length ?? 0),
      'no-reference',
      '`/// <reference …>` is not allowed: a bundle sees only `webtasks:runtime` and ECMAScript.',
    );
  }
  const noCheck = /\/\/\s*@ts-nocheck/.exec(originalSource);
  if (noCheck) {
    context.report(
      noCheck.index,
      'no-ts-nocheck',
      '`// @ts-nocheck` is not allowed: fix the type errors instead.',
    );
  }
}
