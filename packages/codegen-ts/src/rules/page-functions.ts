import { ts } from 'ts-morph';
import { isValueReference, referencedSymbol } from './references.js';
import { type RuleContext, walkValues } from './rule-context.js';

/** Methods whose function argument runs in the browser page, and the index of that argument. */
const PAGE_FUNCTION_ARGUMENT: Record<string, number> = {
  evaluate: 0,
  evaluateAll: 0,
  $eval: 1,
  $$eval: 1,
};

type FunctionNode = ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration;

/** A function that runs in the page, and the method it is passed to. */
export interface PageFunction {
  node: FunctionNode;
  method: string;
}

function isFunctionNode(node: ts.Node): node is FunctionNode {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node);
}

function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/** Resolve a function argument: inline, or a named function declared in the bundle. */
function functionOf(context: RuleContext, argument: ts.Expression): FunctionNode | undefined {
  const expression = unwrap(argument);
  if (isFunctionNode(expression)) return expression;
  if (!ts.isIdentifier(expression)) return undefined;
  const declaration = context.checker.getSymbolAtLocation(expression)?.valueDeclaration;
  if (!declaration || declaration.getSourceFile() !== context.sourceFile) return undefined;
  if (ts.isFunctionDeclaration(declaration)) return declaration;
  if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
    const initializer = unwrap(declaration.initializer);
    if (isFunctionNode(initializer)) return initializer;
  }
  return undefined;
}

/** Every function of the bundle that is passed to `evaluate`, `evaluateAll`, `$eval` or `$$eval`. */
export function findPageFunctions(context: RuleContext): Map<ts.Node, PageFunction> {
  const found = new Map<ts.Node, PageFunction>();
  walkValues(context.sourceFile, (node) => {
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
    const method = node.expression.name.text;
    const index = PAGE_FUNCTION_ARGUMENT[method];
    const argument = index === undefined ? undefined : node.arguments[index];
    if (!argument) return;
    const fn = functionOf(context, argument);
    if (fn) found.set(fn, { node: fn, method });
  });
  return found;
}

/** The usage hint for passing a value into a page function. */
function argumentHint(method: string, name: string): string {
  if (method === '$eval' || method === '$$eval')
    return `page.${method}(selector, (element, ${name}) => …, ${name})`;
  return `${method}((${method === 'evaluate' ? 'arg' : 'elements, arg'}) => …, ${name})`;
}

/**
 * Rule `evaluate-closure`: a function passed to `page.evaluate` is serialised and run in the
 * page, so it cannot read the bundle's variables; values go through the argument.
 */
export function checkPageFunctionClosures(context: RuleContext, pageFunction: PageFunction): void {
  const { node, method } = pageFunction;
  const visit = (child: ts.Node): void => {
    if (!ts.isIdentifier(child) || !isValueReference(child)) return;
    const symbol = referencedSymbol(context.checker, child);
    const declaration = symbol?.declarations?.[0];
    if (!declaration || declaration.getSourceFile() !== context.sourceFile) return;
    if (declaration.pos >= node.pos && declaration.end <= node.end) return;
    const name = child.text;
    context.report(
      child,
      'evaluate-closure',
      `\`${name}\` is declared outside the function passed to \`${method}\`: that function runs in the page and cannot see the bundle's variables. Pass the value as the argument: \`${argumentHint(method, name)}\`.`,
    );
  };
  if (node.body) {
    visit(node.body);
    walkValues(node.body, visit);
  }
  for (const parameter of node.parameters) {
    if (parameter.initializer) walkValues(parameter, visit);
  }
}
