import type { AuthSessionLogin, WebTasksEngine } from '@webtasks/core';
import { AUTH_SESSION_NAME_PATTERN, AuthSessionSummarySchema } from '@webtasks/protocol';
import type { FastifyInstance } from 'fastify';
import type { WorkspaceAuth } from '../api-keys.js';
import { workspaceKeyHook } from '../auth-hook.js';
import { HttpError } from '../http-errors.js';
import { commonErrors, errorResponse, toSchema, workspaceParam } from '../route-schemas.js';
import { checkName, keyed, type NameParams, nameParamsSchema } from './named-entries.js';

export interface AuthSessionRoutesOptions {
  engine: WebTasksEngine;
  auth: WorkspaceAuth;
}

const base = { tags: ['auth-sessions'], security: [{ apiKey: [] }] };
const nameParams = nameParamsSchema('The session name a request names in auth.session.');
const summary = toSchema(AuthSessionSummarySchema, 'output');

/**
 * Auth sessions over HTTP: import a Playwright storage state (PUT, the body is the state, or
 * `{ storageState?, login }` with a login bundle and a check URL or check bundle), list (names,
 * cookie counts, origins, login keys) and delete. Cookies are never returned.
 */
export async function authSessionRoutes(
  app: FastifyInstance,
  options: AuthSessionRoutesOptions,
): Promise<void> {
  const { engine } = options;
  app.addHook('onRequest', workspaceKeyHook(options.auth));

  app.get<{ Params: { workspaceId: string } }>(
    '/:workspaceId/auth-sessions',
    {
      schema: {
        ...base,
        operationId: 'listAuthSessions',
        summary: "List the workspace's auth sessions (never their cookies)",
        params: { type: 'object', properties: { workspaceId: workspaceParam }, required: ['workspaceId'] },
        response: {
          200: {
            description: 'The sessions.',
            type: 'object',
            properties: { sessions: { type: 'array', items: summary } },
            required: ['sessions'],
          },
          403: errorResponse('`forbidden`: this server has no WEBTASKS_SECRETS_KEY.'),
          ...commonErrors,
        },
      },
    },
    async (request) => ({
      sessions: await keyed(() => engine.authSessions.list({ workspaceId: request.params.workspaceId })),
    }),
  );

  app.put<{ Params: NameParams }>(
    '/:workspaceId/auth-sessions/:name',
    {
      schema: {
        ...base,
        operationId: 'importAuthSession',
        summary: 'Import (or replace) an auth session from a Playwright storage state',
        params: nameParams,
        body: {
          type: 'object',
          description:
            'A Playwright storage state ({ cookies: [...], origins: [...] }), or { storageState?, login: { reuseKey, check } } for a session that signs in again by itself: check is { url, selector? } (a page only a signed-in user sees) or { reuseKey } (a check bundle that returns true when signed in).',
        },
        response: {
          200: { description: 'Stored.', ...summary },
          400: errorResponse('`invalid-request`: not a storage state; `details` holds the JSON paths.'),
          403: errorResponse('`forbidden`: this server has no WEBTASKS_SECRETS_KEY.'),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const { workspaceId, name } = request.params;
      checkName(name, AUTH_SESSION_NAME_PATTERN, 'auth session');
      const body = request.body as { login?: unknown; storageState?: unknown } | null;
      const withLogin = body !== null && typeof body === 'object' && 'login' in body;
      return keyed(() =>
        engine.authSessions.import(
          withLogin
            ? {
                workspaceId,
                name,
                ...(body.storageState !== undefined ? { state: body.storageState } : {}),
                login: body.login as AuthSessionLogin,
              }
            : { workspaceId, name, state: request.body },
        ),
      );
    },
  );

  app.delete<{ Params: NameParams }>(
    '/:workspaceId/auth-sessions/:name',
    {
      schema: {
        ...base,
        operationId: 'deleteAuthSession',
        summary: 'Delete an auth session',
        params: nameParams,
        response: {
          204: { description: 'Deleted.', type: 'null' },
          404: errorResponse('`not-found`: no session of that name.'),
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const { workspaceId, name } = request.params;
      checkName(name, AUTH_SESSION_NAME_PATTERN, 'auth session');
      if (!(await engine.authSessions.delete({ workspaceId, name })))
        throw new HttpError({
          statusCode: 404,
          code: 'not-found',
          message: `No auth session "${name}" in this workspace.`,
        });
      return reply.code(204).send();
    },
  );
}
