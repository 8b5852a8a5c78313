import { createHash } from 'node:crypto';
import type { JsonObject, JsonSchema, JsonValue } from '@webtasks/core';
import { MAX_TASK_LENGTH, MODEL_ALIASES } from '@webtasks/protocol';

/** A tool's `inputSchema` / `outputSchema`: MCP wants a JSON Schema object of `type: 'object'`. */
export type ObjectSchema = { type: 'object' } & JsonObject;

/** Input of `run_web_task`: the start request of the HTTP API, field for field. */
export const RUN_WEB_TASK_INPUT: ObjectSchema = {
  type: 'object',
  properties: {
    task: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_TASK_LENGTH,
      description: 'The job on the website, in plain language.',
    },
    startUrl: { type: 'string', description: 'http(s) URL where the agent starts.' },
    parameters: {
      type: 'object',
      description: 'Inputs that change between runs; the saved code reads them, never hard-codes them.',
    },
    outputSchema: {
      type: 'object',
      description: 'JSON Schema (2020-12) of the result. Absent: the agent proposes one and saves it.',
    },
    reuseKey: {
      type: 'string',
      pattern: '^[A-Za-z0-9._:-]{1,128}$',
      description:
        'Label of the reusable automation. The same key runs the saved code with no model call; a new key explores and saves.',
    },
    model: { type: 'string', enum: [...MODEL_ALIASES], description: 'Model for exploring and repairing.' },
  },
  required: ['task'],
  additionalProperties: false,
};

/** Input of `get_web_task_result`. */
export const GET_RESULT_INPUT: ObjectSchema = {
  type: 'object',
  properties: {
    webTaskId: { type: 'string', minLength: 1, maxLength: 128, description: 'The id run_web_task returned.' },
    waitSeconds: {
      type: 'number',
      minimum: 0,
      maximum: 600,
      description: 'Wait up to this long for the task to complete. Default 0.',
    },
  },
  required: ['webTaskId'],
  additionalProperties: false,
};

/** Input of `list_automations`. */
export const LIST_AUTOMATIONS_INPUT: ObjectSchema = {
  type: 'object',
  properties: {
    prefix: { type: 'string', description: 'Only reuse keys starting with this.' },
  },
  additionalProperties: false,
};

const FILE_REF: JsonObject = {
  type: 'object',
  properties: {
    url: { type: 'string' },
    contentType: { type: 'string' },
    sizeBytes: { type: 'integer' },
    expiresAt: { type: 'string' },
  },
  required: ['url', 'contentType', 'sizeBytes', 'expiresAt'],
};

/** Output of `run_web_task` and `get_web_task_result`: the web task result object. */
export const WEB_TASK_RESULT_OUTPUT: ObjectSchema = {
  type: 'object',
  properties: {
    webTaskId: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'started', 'completed'] },
    outcome: { type: 'string', enum: ['success', 'failed'] },
    result: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['inline', 'file'] },
        data: {},
        file: FILE_REF,
        preview: { type: 'object' },
      },
      required: ['type'],
    },
    reuse: {
      type: 'object',
      properties: {
        key: { type: 'string' },
        used: { type: 'boolean' },
        created: { type: 'boolean' },
        updated: { type: 'boolean' },
      },
      required: ['key', 'used', 'created', 'updated'],
    },
    cost: { type: 'object' },
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['webTaskId', 'status', 'reuse'],
};

/** Output of `list_automations`. */
export const LIST_AUTOMATIONS_OUTPUT: ObjectSchema = {
  type: 'object',
  properties: {
    automations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          reuseKey: { type: 'string' },
          toolName: { type: 'string' },
          version: { type: 'integer' },
          task: { type: 'string' },
          startUrl: { type: 'string' },
          savedAt: { type: 'string' },
        },
        required: ['reuseKey', 'toolName', 'version', 'task', 'savedAt'],
      },
    },
  },
  required: ['automations'],
};

function schemaOfValue(value: JsonValue): JsonObject {
  if (value === null) return { type: 'null' };
  if (Array.isArray(value)) {
    const first = value.find((item) => item !== null);
    return first === undefined ? { type: 'array' } : { type: 'array', items: schemaOfValue(first) };
  }
  switch (typeof value) {
    case 'string':
      return { type: 'string' };
    case 'number':
      return { type: Number.isInteger(value) ? 'integer' : 'number' };
    case 'boolean':
      return { type: 'boolean' };
    default:
      return { type: 'object' };
  }
}

/**
 * A parameter schema inferred from one successful run's parameters: each parameter with the
 * type it had (an integer also accepts any number) and that run's value as an example. All
 * are required, since the saved code was written to read them; unknown ones are allowed.
 */
export function inferParameterSchema(parameters: JsonObject): ObjectSchema {
  const properties: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(parameters)) {
    const schema = schemaOfValue(value);
    if (schema.type === 'integer') schema.type = 'number';
    properties[name] = { ...schema, examples: [value] };
  }
  return {
    type: 'object',
    properties,
    required: Object.keys(parameters),
    additionalProperties: true,
  };
}

/** Any JSON object: the input of an automation with nothing to infer from. */
export const PERMISSIVE_INPUT: ObjectSchema = { type: 'object', additionalProperties: true };

/** Rewrite `#…` references of a schema embedded at `#/properties/data`, keeping `$defs` at the root. */
function rebase(node: JsonValue, defsKeys: Set<string>): JsonValue {
  if (Array.isArray(node)) return node.map((item) => rebase(item, defsKeys));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#')) {
      const pointer = value.slice(1);
      const first = pointer.split('/')[1] ?? '';
      out[key] = defsKeys.has(first) ? value : `#/properties/data${pointer}`;
    } else {
      out[key] = rebase(value, defsKeys);
    }
  }
  return out;
}

/**
 * The output schema of an automation tool. MCP wants an object at the top, and a large result
 * travels as a file, so the bundle's own output schema sits under `data`, beside `file` (a
 * signed URL, also given as a resource link) and `preview`. The bundle schema's `$defs` move
 * to the top and its `#` references are rebased, so references keep resolving.
 */
export function automationOutputSchema(bundleSchema: JsonSchema): ObjectSchema {
  const source = (
    typeof bundleSchema === 'object' && bundleSchema !== null ? bundleSchema : {}
  ) as JsonObject;
  const { $schema: _schema, $id: _id, $defs, definitions, ...rest } = source;
  const defs: JsonObject = {};
  if ($defs && typeof $defs === 'object' && !Array.isArray($defs)) defs.$defs = $defs;
  if (definitions && typeof definitions === 'object' && !Array.isArray(definitions))
    defs.definitions = definitions;
  const data = rebase(rest, new Set(Object.keys(defs)));
  const schema: ObjectSchema = {
    type: 'object',
    properties: {
      webTaskId: { type: 'string' },
      data,
      file: FILE_REF,
      preview: {
        type: 'object',
        properties: { rowCount: { type: 'integer' }, sample: { type: 'array' } },
      },
    },
    required: ['webTaskId'],
    ...defs,
  };
  // A content-derived `$id`: validators that cache compiled schemas by `$id` (the MCP SDK's
  // client does) compile each distinct output schema once instead of on every tools/list.
  const digest = createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 32);
  return { $id: `urn:webtasks:automation-output:${digest}`, ...schema };
}
