import { type WebTasksEngine, WebTasksError } from '@webtasks/core';
import { StartRequestSchema, type WebTaskResult } from '@webtasks/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WorkspaceAuth } from '../api-keys.js';
import { workspaceKeyHook } from '../auth-hook.js';
import { HttpError, invalidRequestFromZod, taskNotFound } from '../http-errors.js';
import type { QueuedTaskLimit } from '../queued-limit.js';
import { resultRouteSchema, startRouteSchema } from '../route-schemas.js';
import { assertOutputSchemaSize } from '../schema-size-guard.js';

/** Task ids the server passes to the engine; anything else cannot exist (e.g. `../x`). */
export const WEB_TASK_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._:-]{0,127}$/;
/** Response header telling clients the longest long-poll this server honours, in seconds. */
export const MAX_WAIT_HEADER = 'x-webtasks-max-wait-seconds';

export interface WebTaskRoutesOptions {
  engine: WebTasksEngine;
  auth: WorkspaceAuth;
  limit: QueuedTaskLimit | undefined;
  maxWaitSeconds: number;
  /** Aborts when the server shuts down: long-polls then answer with the current state. */
  shutdownSignal: AbortSignal;
}

type WorkspaceParams = { workspaceId: string };
type ResultParams = { workspaceId: string; webTaskId: string };

/** Parse `waitSeconds`: absent → 0; a non-negative decimal number → capped at `max`; else 400. */
export function parseWaitSeconds(value: unknown, max: number): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d{1,6}(\.\d{1,3})?$/.test(value)) {
    throw new HttpError({
      statusCode: 400,
      code: 'invalid-request',
      message: `waitSeconds must be one non-negative number of seconds (for example waitSeconds=30; at most ${max} is honoured).`,
      details: [{ path: ['waitSeconds'], code: 'invalid_type', message: 'expected a non-negative number' }],
    });
  }
  return Math.min(Number(value), max);
}

/** `POST /:workspaceId/web-tasks/start` and `GET /:workspaceId/web-tasks/:webTaskId/result`. */
export async function webTaskRoutes(app: FastifyInstance, options: WebTaskRoutesOptions): Promise<void> {
  const { engine, auth, limit, maxWaitSeconds, shutdownSignal } = options;

  // Authenticate before the body is read: an unauthenticated caller never gets it parsed.
  app.addHook('onRequest', workspaceKeyHook(auth));

  app.post<{ Params: WorkspaceParams }>(
    '/:workspaceId/web-tasks/start',
    { schema: startRouteSchema },
    async (request, reply) => {
      const { workspaceId } = request.params;
      const body = request.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new HttpError({
          statusCode: 400,
          code: 'invalid-request',
          message:
            'The body must be a JSON object such as {"task": "..."} sent with content-type: application/json.',
        });
      }
      assertOutputSchemaSize((body as { outputSchema?: unknown }).outputSchema);
      const parsed = StartRequestSchema.safeParse(body);
      if (!parsed.success) throw invalidRequestFromZod(parsed.error, 'start request');

      await limit?.admit(workspaceId);
      let webTaskId: string | undefined;
      try {
        const started = await engine.start({ workspaceId, request: parsed.data });
        webTaskId = started.webTaskId;
        reply.code(202);
        return { webTaskId: started.webTaskId, status: 'pending' as const, reuseKey: started.reuseKey };
      } finally {
        limit?.release(workspaceId, webTaskId);
      }
    },
  );

  app.get<{ Params: ResultParams; Querystring: Record<string, unknown> }>(
    '/:workspaceId/web-tasks/:webTaskId/result',
    { schema: resultRouteSchema },
    async (request, reply) => {
      const { workspaceId, webTaskId } = request.params;
      const unknown = Object.keys(request.query).filter((name) => name !== 'waitSeconds');
      if (unknown.length > 0) {
        throw new HttpError({
          statusCode: 400,
          code: 'invalid-request',
          message: `Unknown query parameter ${JSON.stringify(unknown[0]!.slice(0, 40))}: the only one is waitSeconds.`,
        });
      }
      const waitSeconds = parseWaitSeconds(request.query.waitSeconds, maxWaitSeconds);
      if (!WEB_TASK_ID_PATTERN.test(webTaskId) || webTaskId.includes('..')) throw taskNotFound(webTaskId);
      reply.header(MAX_WAIT_HEADER, String(maxWaitSeconds));
      try {
        if (waitSeconds <= 0) return await engine.result({ workspaceId, webTaskId });
        return await longPoll(request, reply, {
          engine,
          shutdownSignal,
          workspaceId,
          webTaskId,
          waitSeconds,
        });
      } catch (error) {
        if (WebTasksError.hasCode(error, 'not-found')) throw taskNotFound(webTaskId);
        throw error;
      }
    },
  );
}

/**
 * Hold the request until the task completes, `waitSeconds` pass, the caller hangs up (then
 * nothing is sent) or the server shuts down (then the current state is sent).
 */
async function longPoll(
  request: FastifyRequest,
  reply: FastifyReply,
  options: {
    engine: WebTasksEngine;
    shutdownSignal: AbortSignal;
    workspaceId: string;
    webTaskId: string;
    waitSeconds: number;
  },
): Promise<WebTaskResult | FastifyReply> {
  const { engine, shutdownSignal, workspaceId, webTaskId, waitSeconds } = options;
  const controller = new AbortController();
  const onHangUp = () => {
    if (!reply.raw.writableEnded) controller.abort();
  };
  const onShutdown = () => controller.abort();
  reply.raw.once('close', onHangUp);
  shutdownSignal.addEventListener('abort', onShutdown, { once: true });
  try {
    return await engine.wait({
      workspaceId,
      webTaskId,
      timeoutMs: Math.round(waitSeconds * 1000),
      signal: controller.signal,
    });
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    if (shutdownSignal.aborted) return await engine.result({ workspaceId, webTaskId });
    request.log.debug({ webTaskId }, 'caller hung up during a long-poll');
    return reply.hijack();
  } finally {
    reply.raw.off('close', onHangUp);
    shutdownSignal.removeEventListener('abort', onShutdown);
  }
}
