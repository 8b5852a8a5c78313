import { createJsonSchemaValidator, type JsonSchemaValidator } from '@webtasks/protocol';
import type { JsonSchema, JsonValue } from '../ports/common.js';

type ValidateFunction = ReturnType<JsonSchemaValidator['compile']>;

/** Validates outputs against JSON Schemas, compiling each distinct schema once. */
export interface OutputValidator {
  /** `ok: false` carries a short list of the first problems, as a model or a user reads them. */
  validate(schema: JsonSchema, output: JsonValue): { ok: true } | { ok: false; message: string };
}

/** Create a validator with a bounded cache of compiled schemas. */
export function createOutputValidator(options: { cacheSize?: number } = {}): OutputValidator {
  const ajv = createJsonSchemaValidator();
  const cache = new Map<string, ValidateFunction>();
  const cacheSize = options.cacheSize ?? 200;

  function compiled(schema: JsonSchema): ValidateFunction {
    const key = JSON.stringify(schema);
    let fn = cache.get(key);
    if (!fn) {
      fn = ajv.compile(schema as object);
      if (cache.size >= cacheSize) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(key, fn);
    }
    return fn;
  }

  return {
    validate(schema, output) {
      let fn: ValidateFunction;
      try {
        fn = compiled(schema);
      } catch (error) {
        return { ok: false, message: `The output schema does not compile: ${(error as Error).message}` };
      }
      if (fn(output)) return { ok: true };
      const problems = (fn.errors ?? [])
        .slice(0, 5)
        .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
      const more = (fn.errors?.length ?? 0) > 5 ? ` (and ${(fn.errors?.length ?? 0) - 5} more)` : '';
      return {
        ok: false,
        message: `The output does not match the output schema: ${problems.join('; ')}${more}`,
      };
    },
  };
}
