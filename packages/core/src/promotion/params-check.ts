import { checkJsonSchema, createJsonSchemaValidator } from '@webtasks/protocol';
import { WebTasksError } from '../errors.js';
import type { JsonObject, JsonSchema } from '../ports/common.js';

/** One way the parameters break their schema. */
export interface ParameterProblem {
  /** JSON Pointer into the parameters, `/batch`; `''` for the whole object. */
  path: string;
  /** What the schema expected there, in words. */
  expected: string;
}

export type ParameterCheck =
  | { ok: true; params: JsonObject }
  | { ok: false; problems: ParameterProblem[]; message: string };

/** Checks run parameters against a bundle's parameter schema, applying its defaults. */
export interface ParameterChecker {
  check(schema: JsonSchema, params: JsonObject): ParameterCheck;
}

function describe(error: {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}): ParameterProblem {
  let path = error.instancePath;
  if (error.keyword === 'required') path = `${path}/${String(error.params.missingProperty)}`;
  if (error.keyword === 'additionalProperties')
    return {
      path: `${path}/${String(error.params.additionalProperty)}`,
      expected: 'no such parameter (the schema does not allow it)',
    };
  const expected =
    error.keyword === 'required'
      ? 'a value (it is required)'
      : error.keyword === 'enum'
        ? `one of ${JSON.stringify(error.params.allowedValues)}`
        : (error.message ?? 'a valid value');
  return { path, expected };
}

/**
 * Create a checker with its own Ajv instance (`useDefaults`, so `default` values in the
 * schema fill missing parameters) and a bounded cache of compiled schemas. The caller's
 * parameters are never mutated: defaults are applied to a copy.
 */
export function createParameterChecker(options: { cacheSize?: number } = {}): ParameterChecker {
  const ajv = createJsonSchemaValidator({ useDefaults: true });
  const cache = new Map<string, ReturnType<typeof ajv.compile>>();
  const cacheSize = options.cacheSize ?? 200;
  return {
    check(schema, params) {
      const key = JSON.stringify(schema);
      let validate = cache.get(key);
      if (!validate) {
        validate = ajv.compile(schema as object);
        if (cache.size >= cacheSize) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
        cache.set(key, validate);
      }
      const copy = structuredClone(params);
      if (validate(copy)) return { ok: true, params: copy };
      const problems = (validate.errors ?? []).slice(0, 5).map(describe);
      const text = problems.map((p) => `${p.path || '(parameters)'}: expected ${p.expected}`).join('; ');
      return { ok: false, problems, message: text };
    },
  };
}

let shared: ParameterChecker | undefined;

/** A process-wide checker (compiled schemas are cached). */
export function sharedParameterChecker(): ParameterChecker {
  shared ??= createParameterChecker();
  return shared;
}

/** Check that `schema` is a valid JSON Schema 2020-12 of an object; `name` is how the message calls it. */
export function checkParamsSchema(
  schema: unknown,
  name: string,
): { ok: true } | { ok: false; message: string } {
  const valid = checkJsonSchema(schema);
  if (!valid.ok)
    return { ok: false, message: `${name} is not a valid JSON Schema 2020-12: ${valid.message}` };
  if (typeof schema !== 'object' || schema === null || (schema as { type?: unknown }).type !== 'object') {
    return {
      ok: false,
      message: `${name} must describe an object (\`"type": "object"\`): the parameters are one.`,
    };
  }
  return { ok: true };
}

/**
 * Check a parameter schema an agent or a user proposes: it must be a valid JSON Schema
 * 2020-12 and accept `params` (the parameters of the run it was written for).
 */
export function checkProposedParamsSchema(
  schema: unknown,
  params: JsonObject,
): { ok: true } | { ok: false; message: string } {
  const shape = checkParamsSchema(schema, 'paramsSchema');
  if (!shape.ok) return shape;
  const check = sharedParameterChecker().check(schema as JsonSchema, params);
  if (!check.ok)
    return {
      ok: false,
      message: `paramsSchema rejects this run's own parameters (${check.message}): describe the parameters as they are.`,
    };
  return { ok: true };
}

/**
 * The parameters a run of `bundle` uses: checked against its parameter schema, with the
 * schema's defaults applied. Throws `invalid-request` (a `rejected` task) naming each bad
 * parameter and what was expected, before anything runs.
 */
export function parametersForBundle(
  bundle: { reuseKey: string; version: number; paramsSchema?: JsonSchema },
  params: JsonObject,
  checker: ParameterChecker = sharedParameterChecker(),
): JsonObject {
  if (bundle.paramsSchema === undefined) return params;
  let check: ParameterCheck;
  try {
    check = checker.check(bundle.paramsSchema, params);
  } catch (error) {
    throw new WebTasksError({
      code: 'invalid-request',
      message: `The parameter schema of reuse key "${bundle.reuseKey}" v${bundle.version} does not compile (${(error as Error).message}): import a version with a valid --params-schema.`,
    });
  }
  if (check.ok) return check.params;
  throw new WebTasksError({
    code: 'invalid-request',
    message: `The parameters do not match the parameter schema of reuse key "${bundle.reuseKey}" v${bundle.version}: ${check.message}. Fix the parameters of the request; nothing ran.`,
    details: check.problems,
  });
}

/** The parameter schema a new version keeps: the candidate's, else the version it repairs. */
export function savedParamsSchema(
  candidate: { paramsSchema?: JsonSchema },
  base: { paramsSchema?: JsonSchema } | undefined,
): { paramsSchema?: JsonSchema } {
  const schema = candidate.paramsSchema ?? base?.paramsSchema;
  return schema === undefined ? {} : { paramsSchema: schema };
}
