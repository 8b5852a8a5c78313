import { type WebTasksEngine, WebTasksError } from '@webtasks/core';
import { PutSecretSchema, SECRET_NAME_PATTERN, SecretSummarySchema } from '@webtasks/protocol';
import type { FastifyInstance } from 'fastify';
import type { WorkspaceAuth } from '../api-keys.js';
import { workspaceKeyHook } from '../auth-hook.js';
import { HttpError, invalidRequestFromZod } from '../http-errors.js';
import { commonErrors, errorResponse, toSchema, workspaceParam } from '../route-schemas.js';

export interface SecretRoutesOptions {
  engine: WebTasksEngine;
  auth: WorkspaceAuth;
}

type NameParams = { workspaceId: string; name: string };

const base = { tags: ['secrets'], security: [{ apiKey: [] }] };
const nameParams = {
  type: 'object',
  properties: {
    workspaceId: workspaceParam,
    name: { type: 'string', description: 'The secret name, read by code as ctx.secrets.<name>.' },
  },
  required: ['workspaceId', 'name'],
};
const summary = toSchema(SecretSummarySchema, 'output');
const off = errorResponse('`forbidden`: this server has no WEBTASKS_SECRETS_KEY, so it stores no secrets.');
const badRequest = errorResponse('`invalid-request`: the name or the body is malformed.');

function checkName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name))
    throw new HttpError({
      statusCode: 400,
      code: 'invalid-request',
      message: 'A secret name is a letter or "_" then up to 63 letters, digits or "_".',
      details: [{ path: ['name'], message: 'invalid secret name' }],
    });
}

/** `invalid-config` (no key on the server) is the caller's to know about: 403 naming the setting. */
async function keyed<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (WebTasksError.hasCode(error, 'invalid-config'))
      throw new HttpError({ statusCode: 403, code: 'forbidden', message: error.message });
    throw error;
  }
}

/**
 * Workspace secrets over HTTP: list (names only), put, delete. Values go in and are never
 * returned: tasks read them as `ctx.secrets.<name>`.
 */
export async function secretRoutes(app: FastifyInstance, options: SecretRoutesOptions): Promise<void> {
  const { engine } = options;
  app.addHook('onRequest', workspaceKeyHook(options.auth));

  app.get<{ Params: { workspaceId: string } }>(
    '/:workspaceId/secrets',
    {
      schema: {
        ...base,
        operationId: 'listSecrets',
        summary: "List the workspace's secrets (names and update times, never values)",
        params: { type: 'object', properties: { workspaceId: workspaceParam }, required: ['workspaceId'] },
        response: {
          200: {
            description: 'The secrets.',
            type: 'object',
            properties: { secrets: { type: 'array', items: summary } },
            required: ['secrets'],
          },
          ...commonErrors,
        },
      },
    },
    async (request) => ({ secrets: await engine.secrets.list({ workspaceId: request.params.workspaceId }) }),
  );

  app.put<{ Params: NameParams }>(
    '/:workspaceId/secrets/:name',
    {
      schema: {
        ...base,
        operationId: 'putSecret',
        summary: 'Store (or replace) a secret, sealed at rest',
        params: nameParams,
        body: toSchema(PutSecretSchema, 'input'),
        response: { 200: { description: 'Stored.', ...summary }, 400: badRequest, 403: off, ...commonErrors },
      },
    },
    async (request) => {
      const { workspaceId, name } = request.params;
      checkName(name);
      const parsed = PutSecretSchema.safeParse(request.body);
      if (!parsed.success) throw invalidRequestFromZod(parsed.error, 'secret');
      return keyed(() => engine.secrets.set({ workspaceId, name, value: parsed.data.value }));
    },
  );

  app.delete<{ Params: NameParams }>(
    '/:workspaceId/secrets/:name',
    {
      schema: {
        ...base,
        operationId: 'deleteSecret',
        summary: 'Delete a secret',
        params: nameParams,
        response: {
          204: { description: 'Deleted.', type: 'null' },
          404: errorResponse('`not-found`: no secret of that name.'),
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const { workspaceId, name } = request.params;
      checkName(name);
      if (!(await engine.secrets.delete({ workspaceId, name })))
        throw new HttpError({
          statusCode: 404,
          code: 'not-found',
          message: `No secret "${name}" in this workspace.`,
        });
      return reply.code(204).send();
    },
  );
}
