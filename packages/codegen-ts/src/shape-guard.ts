import { ts } from 'ts-morph';

/** Lines longer than this are refused: no one writes them by hand, and ts-morph's comment scan is quadratic in them. */
const MAX_LINE_LENGTH = 20_000;
/** Brackets deeper than this are refused before parsing. */
const MAX_BRACKET_DEPTH = 400;
/** Syntax trees deeper than this are refused before type-checking (TypeScript and the rules recurse). */
const MAX_TREE_DEPTH = 500;

const FLATTEN = 'flatten the code (helper functions, loops, early returns).';

/**
 * The first line that is too long, or where bracket nesting first exceeds the limit (counting
 * brackets in strings too: a safe over-estimate).
 */
function scanLines(source: string): { line: number; column: number; kind: 'line' | 'brackets' } | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < source.length; index++) {
    const char = source.charCodeAt(index);
    if (char === 10) {
      line += 1;
      lineStart = index + 1;
    } else if (index - lineStart >= MAX_LINE_LENGTH) {
      return { line, column: 1, kind: 'line' };
    } else if (char === 40 || char === 91 || char === 123) {
      depth += 1;
      if (depth > MAX_BRACKET_DEPTH) return { line, column: index - lineStart + 1, kind: 'brackets' };
    } else if ((char === 41 || char === 93 || char === 125) && depth > 0) {
      depth -= 1;
    }
  }
  return undefined;
}

/** The first node deeper than the limit, walking without recursion. */
function excessiveTreeDepth(sourceFile: ts.SourceFile): ts.Node | undefined {
  const stack: Array<[ts.Node, number]> = [[sourceFile, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [ts.Node, number];
    if (depth > MAX_TREE_DEPTH) return node;
    ts.forEachChild(node, (child) => {
      stack.push([child, depth + 1]);
    });
  }
  return undefined;
}

/**
 * Refuse sources of a shape that would make the compiler overflow its stack or crawl: lines
 * over 20 000 characters, nesting deeper than 400 brackets or 500 syntax levels (`!!!!…1`,
 * `x => x => …`). No real bundle comes near the limits. Parses once on its own, so a parser
 * crash never reaches the warm project.
 */
export function findUnreasonableShape(
  source: string,
): { line: number; column: number; message: string; code: string } | undefined {
  const scanned = scanLines(source);
  if (scanned?.kind === 'line') {
    return {
      line: scanned.line,
      column: 1,
      code: 'webtasks/line-too-long',
      message: `Line ${scanned.line} is longer than ${MAX_LINE_LENGTH} characters: break it up, and keep data out of the code.`,
    };
  }
  if (scanned) {
    return {
      line: scanned.line,
      column: scanned.column,
      code: 'webtasks/too-deeply-nested',
      message: `Brackets are nested more than ${MAX_BRACKET_DEPTH} levels deep here: ${FLATTEN}`,
    };
  }
  let sourceFile: ts.SourceFile;
  try {
    sourceFile = ts.createSourceFile(
      '/nesting-check.ts',
      source,
      ts.ScriptTarget.ES2022,
      false,
      ts.ScriptKind.TS,
    );
  } catch {
    return {
      line: 1,
      column: 1,
      code: 'webtasks/too-deeply-nested',
      message: `The code is nested too deeply to parse: ${FLATTEN}`,
    };
  }
  const deep = excessiveTreeDepth(sourceFile);
  if (!deep) return undefined;
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(deep.getStart(sourceFile));
  return {
    line: line + 1,
    column: character + 1,
    code: 'webtasks/too-deeply-nested',
    message: `Expressions are nested more than ${MAX_TREE_DEPTH} levels deep here: ${FLATTEN}`,
  };
}
