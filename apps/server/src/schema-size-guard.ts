import { HttpError } from './http-errors.js';

/** Deepest `outputSchema` accepted over HTTP (objects and arrays count as levels). */
export const MAX_OUTPUT_SCHEMA_DEPTH = 32;
/** Most objects and arrays an `outputSchema` may contain over HTTP. */
export const MAX_OUTPUT_SCHEMA_NODES = 1_000;

/**
 * Refuse output schemas too large to compile cheaply. Checking a schema compiles it with Ajv,
 * which costs roughly 2 ms per subschema and blocks the event loop: a 1 MB body of nested or
 * repeated subschemas would stall the server for seconds. Real output schemas are far below
 * these limits. Iterative, so hostile nesting cannot overflow the stack.
 */
export function assertOutputSchemaSize(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const stack: { value: object; depth: number }[] = [{ value: schema, depth: 1 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    nodes += 1;
    if (depth > MAX_OUTPUT_SCHEMA_DEPTH || nodes > MAX_OUTPUT_SCHEMA_NODES) {
      throw new HttpError({
        statusCode: 400,
        code: 'invalid-request',
        message:
          depth > MAX_OUTPUT_SCHEMA_DEPTH
            ? `outputSchema is nested deeper than ${MAX_OUTPUT_SCHEMA_DEPTH} levels: flatten it (use $defs and $ref for shared parts).`
            : `outputSchema has more than ${MAX_OUTPUT_SCHEMA_NODES} objects and arrays: describe only the fields you need.`,
        details: [{ path: ['outputSchema'], code: 'too_big', message: 'outputSchema is too large' }],
      });
    }
    for (const child of Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
}
