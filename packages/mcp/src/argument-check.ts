import { createJsonSchemaValidator } from '@webtasks/protocol';
import type { ObjectSchema } from './tool-schemas.js';

type ValidateFunction = ReturnType<ReturnType<typeof createJsonSchemaValidator>['compile']>;

/** One problem with a tool's arguments: a JSON Pointer into the arguments and what is wrong. */
export interface ArgumentProblem {
  path: string;
  message: string;
}

/** Checks tool arguments against input schemas (JSON Schema 2020-12), compiling each schema once. */
export function createArgumentChecker(options: { cacheSize?: number } = {}) {
  const ajv = createJsonSchemaValidator();
  const cache = new Map<string, ValidateFunction>();
  const cacheSize = options.cacheSize ?? 500;

  function compiled(schema: ObjectSchema): ValidateFunction {
    const key = JSON.stringify(schema);
    let fn = cache.get(key);
    if (!fn) {
      fn = ajv.compile(schema);
      if (cache.size >= cacheSize) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(key, fn);
    }
    return fn;
  }

  return {
    /** The problems of `args` (empty when they fit the schema). */
    check(schema: ObjectSchema, args: unknown): ArgumentProblem[] {
      const fn = compiled(schema);
      if (fn(args)) return [];
      return (fn.errors ?? []).slice(0, 10).map((error) => {
        const params = error.params as { missingProperty?: string; additionalProperty?: string };
        const child = params.missingProperty ?? params.additionalProperty;
        const path = `${error.instancePath}${child === undefined ? '' : `/${child}`}` || '/';
        const message =
          params.additionalProperty !== undefined
            ? 'is not an argument of this tool'
            : (error.message ?? 'is invalid');
        return { path, message };
      });
    },
  };
}

/** The tool error text for argument problems: the tool, each path and what to fix. */
export function describeProblems(toolName: string, problems: ArgumentProblem[]): string {
  const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
  return `Invalid arguments for tool "${toolName}": fix these and call it again (the tool's inputSchema says what it takes).\n${lines.join('\n')}`;
}
