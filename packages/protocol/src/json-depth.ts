/** Deepest nesting of objects and arrays a request may carry (parameters, outputSchema, …). */
export const MAX_JSON_DEPTH = 64;

/**
 * The nesting depth of JSON text (`{}` and `[]` levels; 0 for a scalar), scanning at most
 * until `stopAbove` is passed. Linear, no recursion, so a hostile body cannot exhaust the
 * stack here; strings are skipped with their escapes.
 */
export function jsonTextDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 92 /* \ */) i += 1;
      else if (char === 34 /* " */) inString = false;
      continue;
    }
    if (char === 34) inString = true;
    else if (char === 123 /* { */ || char === 91 /* [ */) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (char === 125 /* } */ || char === 93 /* ] */) depth -= 1;
  }
  return deepest;
}

/** The nesting depth of a parsed JSON value, iteratively, stopping once past `stopAbove`. */
export function jsonValueDepth(value: unknown, stopAbove = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, level] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    const depth = level + 1;
    if (depth > deepest) {
      deepest = depth;
      if (deepest > stopAbove) return deepest;
    }
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, depth]);
  }
  return deepest;
}
