import {
  ErrorBodySchema,
  StartRequestSchema,
  StartResponseSchema,
  WebTaskResultSchema,
} from '@webtasks/protocol';
import { z } from 'zod';

/**
 * JSON Schemas of the routes, generated from the protocol's zod schemas so the OpenAPI
 * document cannot drift from what handlers accept. Fastify does not validate with them (its
 * built-in validator is draft-07, these are 2020-12): handlers validate with zod, and these
 * schemas only feed `@fastify/swagger`.
 */
type JsonSchemaObject = Record<string, unknown>;

export function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchemaObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as JsonSchemaObject;
  return rest;
}

/** The start body, as callers may send it. */
export const startRequestJsonSchema = toSchema(StartRequestSchema, 'input');
/** The 202 answer of start. */
export const startResponseJsonSchema = toSchema(StartResponseSchema, 'output');
/** The result object in every state. */
export const webTaskResultJsonSchema = toSchema(WebTaskResultSchema, 'output');
/** Every error answer. */
export const errorBodyJsonSchema = toSchema(ErrorBodySchema, 'output');

export function errorResponse(description: string): JsonSchemaObject {
  return { description, ...errorBodyJsonSchema };
}

export const workspaceParam = {
  type: 'string',
  description: 'The workspace the API key belongs to.',
};

/** Errors every authenticated route can answer with. */
export const commonErrors = {
  401: errorResponse('`unauthenticated`: x-api-key is missing, or is not a key of this workspace.'),
  500: errorResponse(
    '`internal-error`: the server failed; retry, and report the x-request-id if it persists.',
  ),
};

export const startRouteSchema = {
  operationId: 'startWebTask',
  summary: 'Start a web task',
  description:
    'Accepts a task and queues it. Answers at once with the task id; poll the result endpoint (optionally with waitSeconds) until `status` is `completed`.',
  tags: ['web-tasks'],
  security: [{ apiKey: [] }],
  params: { type: 'object', properties: { workspaceId: workspaceParam }, required: ['workspaceId'] },
  body: startRequestJsonSchema,
  response: {
    202: { description: 'Accepted: the task is queued.', ...startResponseJsonSchema },
    400: errorResponse(
      '`invalid-request`: the body is not a valid start request; `details` lists the issues.',
    ),
    413: errorResponse('`payload-too-large`: the body is larger than the server accepts.'),
    415: errorResponse('`invalid-request`: the body is not application/json.'),
    429: errorResponse(
      '`workspace-rate-limited`: too many tasks are waiting in this workspace; retry later.',
    ),
    ...commonErrors,
  },
};

export const resultRouteSchema = {
  operationId: 'getWebTaskResult',
  summary: 'Get the result of a web task',
  description:
    'The task in its current state. With `waitSeconds`, the server holds the request until the task completes or the time passes (long-poll), then answers with the current state.',
  tags: ['web-tasks'],
  security: [{ apiKey: [] }],
  params: {
    type: 'object',
    properties: {
      workspaceId: workspaceParam,
      webTaskId: { type: 'string', description: 'The id start returned.' },
    },
    required: ['workspaceId', 'webTaskId'],
  },
  querystring: {
    type: 'object',
    properties: {
      waitSeconds: {
        type: 'number',
        minimum: 0,
        description:
          'Long-poll: wait up to this many seconds for completion (values above the server maximum, 60 by default, are capped).',
      },
    },
  },
  response: {
    200: { description: 'The task (pending, started or completed).', ...webTaskResultJsonSchema },
    400: errorResponse('`invalid-request`: waitSeconds is not a non-negative number.'),
    404: errorResponse('`not-found`: no task with this id in this workspace.'),
    ...commonErrors,
  },
};

/** Path parameters of `/files/*`, as the OpenAPI document names them. */
export const filePathParams = {
  type: 'object',
  properties: { key: { type: 'string', description: 'The blob key, as it appears in the signed URL.' } },
  required: ['key'],
};

export const fileRouteSchema = {
  operationId: 'downloadFile',
  summary: 'Download a result file through its signed URL',
  description:
    'Serves result files when the blob store signs URLs for the server (filesystem store). The URL comes from a result object; it needs no API key and stops working when it expires.',
  tags: ['files'],
  querystring: {
    type: 'object',
    properties: {
      expires: { type: 'integer', description: 'Expiry, epoch seconds (signed).' },
      name: { type: 'string', description: 'Download file name (signed).' },
      signature: { type: 'string', description: 'HMAC of the key, expiry and name.' },
    },
    required: ['expires', 'signature'],
  },
  response: {
    200: { description: 'The file, with its content type.', type: 'string', format: 'binary' },
    403: errorResponse(
      '`forbidden`: the signature is wrong or the URL expired; get a fresh URL from the result endpoint.',
    ),
    404: errorResponse('`not-found`: the file no longer exists.'),
  },
};

export const healthRouteSchema = {
  summary: 'Liveness: the process answers',
  tags: ['operations'],
  response: { 200: { type: 'object', properties: { status: { type: 'string', const: 'ok' } } } },
};

export const readyRouteSchema = {
  summary: 'Readiness: the engine and its stores answer',
  tags: ['operations'],
  response: {
    200: {
      type: 'object',
      properties: { status: { type: 'string', const: 'ready' }, checks: { type: 'object' } },
    },
    503: {
      type: 'object',
      properties: { status: { type: 'string', const: 'not-ready' }, checks: { type: 'object' } },
    },
  },
};
