import type { FastifyRequest } from 'fastify';
import { WORKSPACE_ID_PATTERN, type WorkspaceAuth } from './api-keys.js';
import { HttpError } from './http-errors.js';

/**
 * The `onRequest` hook of every workspace route: the `x-api-key` header must be a key of the
 * workspace in the path. Runs before the body is read, so an unauthenticated caller never
 * gets it parsed.
 */
export function workspaceKeyHook(auth: WorkspaceAuth) {
  return async (request: FastifyRequest): Promise<void> => {
    const { workspaceId } = request.params as { workspaceId?: string };
    const header = request.headers['x-api-key'];
    if (typeof header !== 'string' || header === '') {
      throw new HttpError({
        statusCode: 401,
        code: 'unauthenticated',
        message: 'Missing x-api-key header: send the API key of this workspace in x-api-key.',
      });
    }
    const ok =
      typeof workspaceId === 'string' &&
      WORKSPACE_ID_PATTERN.test(workspaceId) &&
      (await auth.verify({ workspaceId, apiKey: header }));
    if (!ok) {
      throw new HttpError({
        statusCode: 401,
        code: 'unauthenticated',
        message:
          'The x-api-key is not a valid key of this workspace: check the key and the workspace id in the URL.',
      });
    }
  };
}
