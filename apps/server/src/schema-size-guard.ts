import { schemaSizeProblem } from '@webtasks/protocol';
import { HttpError } from './http-errors.js';

/**
 * Refuse output schemas too large to compile cheaply before anything compiles them (the
 * limits live in `@webtasks/protocol`, so embedded callers get the same check).
 */
export function assertOutputSchemaSize(schema: unknown): void {
  const problem = schemaSizeProblem(schema);
  if (!problem) return;
  throw new HttpError({
    statusCode: 400,
    code: 'invalid-request',
    message: `outputSchema is too large: ${problem}.`,
    details: [{ path: ['outputSchema'], code: 'too_big', message: 'outputSchema is too large' }],
  });
}
