import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv and ajv-formats are CommonJS; their default export sits on `.default` under ESM.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ??
  Ajv2020Module) as typeof Ajv2020Module;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule;

/** An Ajv instance for JSON Schema draft 2020-12 with the standard formats. */
export type JsonSchemaValidator = InstanceType<typeof Ajv2020>;

/**
 * Create an Ajv instance for draft 2020-12 with formats. `strict: false` because user
 * schemas routinely carry annotations Ajv's strict mode would refuse (titles on
 * `prefixItems`, unknown keywords such as `examples` in odd places).
 */
export function createJsonSchemaValidator(
  options: {
    /** Fill missing properties from `default` values while validating (the data is mutated). */
    useDefaults?: boolean;
  } = {},
): JsonSchemaValidator {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    validateFormats: true,
    ...(options.useDefaults ? { useDefaults: true } : {}),
  });
  addFormats(ajv);
  return ajv;
}

let shared: JsonSchemaValidator | undefined;

/** Deepest output schema accepted (objects and arrays count as levels). */
export const MAX_OUTPUT_SCHEMA_DEPTH = 32;
/** Most objects and arrays an output schema may contain. */
export const MAX_OUTPUT_SCHEMA_NODES = 1_000;

/**
 * Why a schema is too large to compile cheaply, or undefined. Compiling costs roughly 2 ms
 * per subschema and blocks the event loop, so a hostile body of nested or repeated
 * subschemas could stall a server for seconds; real output schemas are far below these
 * limits. Iterative, so hostile nesting cannot overflow the stack.
 */
export function schemaSizeProblem(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const stack: Array<{ value: object; depth: number }> = [{ value: schema, depth: 1 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    nodes += 1;
    if (depth > MAX_OUTPUT_SCHEMA_DEPTH) {
      return `it is nested deeper than ${MAX_OUTPUT_SCHEMA_DEPTH} levels: flatten it (use $defs and $ref for shared parts)`;
    }
    if (nodes > MAX_OUTPUT_SCHEMA_NODES) {
      return `it has more than ${MAX_OUTPUT_SCHEMA_NODES} objects and arrays: describe only the fields you need`;
    }
    for (const child of Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Check that `schema` is itself a valid JSON Schema 2020-12 and compiles. */
export function checkJsonSchema(schema: unknown): { ok: true } | { ok: false; message: string } {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    if (typeof schema === 'boolean') return { ok: true };
    return { ok: false, message: 'a JSON Schema must be an object (or a boolean)' };
  }
  const tooLarge = schemaSizeProblem(schema);
  if (tooLarge) return { ok: false, message: tooLarge };
  shared ??= createJsonSchemaValidator();
  try {
    const valid = shared.validateSchema(schema);
    if (!valid) return { ok: false, message: shared.errorsText(shared.errors, { dataVar: 'outputSchema' }) };
    // validateSchema does not resolve $refs; compiling does.
    shared.compile(schema);
    shared.removeSchema(schema);
    return { ok: true };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}
