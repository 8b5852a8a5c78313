import type { Logger, WebTasksEngine } from '@webtasks/core';
import { createWebTasksMcpHttpHandler } from '@webtasks/mcp';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WORKSPACE_ID_PATTERN, type WorkspaceAuth } from '../api-keys.js';
import { HttpError } from '../http-errors.js';

/** Header naming the workspace, for auth that cannot tell it from the key alone. */
export const MCP_WORKSPACE_HEADER = 'x-webtasks-workspace';

/** Settings of the `/mcp` route. */
export interface McpRouteSettings {
  /** How often each session looks for automations changed by other processes (ms). Default 5000. */
  watchIntervalMs?: number;
  /** Close a session after this long without a request (ms). Default 1 hour. */
  idleTimeoutMs?: number;
  /** Longest a tool call waits for its task (ms). Default 15 minutes. */
  runTimeoutMs?: number;
}

export interface McpRouteOptions extends McpRouteSettings {
  engine: WebTasksEngine;
  auth: WorkspaceAuth;
  logger?: Logger;
  version?: string;
}

function unauthenticated(message: string): HttpError {
  return new HttpError({ statusCode: 401, code: 'unauthenticated', message });
}

/** The API key of a request: `x-api-key`, or `Authorization: Bearer <key>` (what MCP clients send). */
function apiKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
  return bearer;
}

async function workspaceOf(request: FastifyRequest, auth: WorkspaceAuth): Promise<string> {
  const apiKey = apiKeyOf(request);
  if (apiKey === undefined) {
    throw unauthenticated(
      'Missing API key: send the workspace API key as "Authorization: Bearer <key>" or in x-api-key (the "headers" of the MCP client configuration).',
    );
  }
  const named = request.headers[MCP_WORKSPACE_HEADER];
  if (typeof named === 'string' && named !== '') {
    if (WORKSPACE_ID_PATTERN.test(named) && (await auth.verify({ workspaceId: named, apiKey }))) return named;
  } else if (auth.identify) {
    const workspaceId = await auth.identify({ apiKey });
    if (workspaceId !== undefined) return workspaceId;
  } else {
    throw unauthenticated(
      `This server's auth cannot tell the workspace from a key: name it in the ${MCP_WORKSPACE_HEADER} header.`,
    );
  }
  throw unauthenticated(
    'The API key is not a valid key of a workspace on this server: check the key in the MCP client configuration.',
  );
}

/** `/mcp`: MCP over Streamable HTTP, one session per client, in the workspace of its API key. */
export async function mcpRoutes(app: FastifyInstance, options: McpRouteOptions): Promise<void> {
  const handler = createWebTasksMcpHttpHandler({
    engine: options.engine,
    name: 'webtasks',
    ...(options.version ? { version: options.version } : {}),
    ...(options.watchIntervalMs !== undefined ? { watchIntervalMs: options.watchIntervalMs } : {}),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    ...(options.runTimeoutMs !== undefined ? { runTimeoutMs: options.runTimeoutMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  app.addHook('preClose', async () => {
    await handler.close();
  });
  app.route({
    method: ['POST', 'GET', 'DELETE'],
    url: '/mcp',
    schema: { hide: true },
    handler: async (request, reply) => {
      const workspaceId = await workspaceOf(request, options.auth);
      reply.hijack();
      await handler.handle({ req: request.raw, res: reply.raw, body: request.body, workspaceId });
    },
  });
}
