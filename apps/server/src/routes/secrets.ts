import type { WebTasksEngine } from '@webtasks/core';
import { PutSecretSchema, SECRET_NAME_PATTERN, SecretSummarySchema } from '@webtasks/protocol';
import type { FastifyInstance } from 'fastify';
import type { WorkspaceAuth } from '../api-keys.js';
import { workspaceKeyHook } from '../auth-hook.js';
import { HttpError, invalidRequestFromZod } from '../http-errors.js';
import { commonErrors, errorResponse, toSchema, workspaceParam } from '../route-schemas.js';
import { checkName, keyed, type NameParams, nameParamsSchema } from './named-entries.js';

export interface SecretRoutesOptions {
  engine: WebTasksEngine;
  auth: WorkspaceAuth;
}

const base = { tags: ['secrets'], security: [{ apiKey: [] }] };
const nameParams = nameParamsSchema('The secret name, read by code as ctx.secrets.<name>.');
const summary = toSchema(SecretSummarySchema, 'output');
const off = errorResponse('`forbidden`: this server has no WEBTASKS_SECRETS_KEY, so it stores no secrets.');
const badRequest = errorResponse('`invalid-request`: the name or the body is malformed.');

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
      checkName(name, SECRET_NAME_PATTERN, 'secret');
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
      checkName(name, SECRET_NAME_PATTERN, 'secret');
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
