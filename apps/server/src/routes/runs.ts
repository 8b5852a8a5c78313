import sse from '@fastify/sse';
import { type WebTasksEngine, WebTasksError } from '@webtasks/core';
import type { FastifyInstance } from 'fastify';
import type { WorkspaceAuth } from '../api-keys.js';
import { workspaceKeyHook } from '../auth-hook.js';
import { HttpError, taskNotFound } from '../http-errors.js';
import {
  cancelRouteSchema,
  eventsRouteSchema,
  listRouteSchema,
  recordRouteSchema,
} from '../run-route-schemas.js';
import { WEB_TASK_ID_PATTERN } from './web-tasks.js';

export interface RunRoutesOptions {
  engine: WebTasksEngine;
  auth: WorkspaceAuth;
  /** Aborts when the server shuts down: event streams end. */
  shutdownSignal: AbortSignal;
  /** Lifetime of artifact URLs in run records. Default 1 hour. */
  artifactUrlSeconds?: number;
  /** SSE keep-alive comment interval. Default 15 s. */
  heartbeatMs?: number;
}

type TaskParams = { workspaceId: string; webTaskId: string };

function checkTaskId(webTaskId: string): void {
  if (!WEB_TASK_ID_PATTERN.test(webTaskId) || webTaskId.includes('..')) throw taskNotFound(webTaskId);
}

/** Engine `not-found` becomes the task's 404 (also for another workspace's id). */
async function orNotFound<T>(webTaskId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (WebTasksError.hasCode(error, 'not-found')) throw taskNotFound(webTaskId);
    throw error;
  }
}

/** Parse `afterSeq` (query) or `Last-Event-ID` (reconnect): a whole number ≥ 0. */
function parseAfterSeq(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) {
    throw new HttpError({
      statusCode: 400,
      code: 'invalid-request',
      message:
        'afterSeq (or Last-Event-ID) must be the whole-number id of an event already received, such as 12.',
      details: [{ path: ['afterSeq'], message: 'expected a whole number' }],
    });
  }
  return Number(value);
}

/** List, run record, live events (SSE) and cancel of a workspace's web tasks. */
export async function runRoutes(app: FastifyInstance, options: RunRoutesOptions): Promise<void> {
  const { engine, shutdownSignal } = options;
  app.addHook('onRequest', workspaceKeyHook(options.auth));
  await app.register(sse, { heartbeatInterval: options.heartbeatMs ?? 15_000 });

  app.get<{ Params: { workspaceId: string }; Querystring: Record<string, string> }>(
    '/:workspaceId/web-tasks',
    { schema: listRouteSchema },
    async (request) => engine.list({ workspaceId: request.params.workspaceId, query: request.query }),
  );

  app.get<{ Params: TaskParams }>(
    '/:workspaceId/web-tasks/:webTaskId/record',
    { schema: recordRouteSchema },
    async (request) => {
      const { workspaceId, webTaskId } = request.params;
      checkTaskId(webTaskId);
      const record = await orNotFound(webTaskId, () => engine.record({ workspaceId, webTaskId }));
      const expiresInSeconds = options.artifactUrlSeconds ?? 3600;
      const artifacts = await Promise.all(
        record.artifacts.map(async (artifact) => ({
          ...artifact,
          ...(await engine.artifactUrl({ workspaceId, webTaskId, key: artifact.key, expiresInSeconds })),
        })),
      );
      return { ...record, artifacts };
    },
  );

  app.post<{ Params: TaskParams }>(
    '/:workspaceId/web-tasks/:webTaskId/cancel',
    { schema: cancelRouteSchema },
    async (request) => {
      const { workspaceId, webTaskId } = request.params;
      checkTaskId(webTaskId);
      return orNotFound(webTaskId, () => engine.cancel({ workspaceId, webTaskId }));
    },
  );

  app.get<{ Params: TaskParams; Querystring: { afterSeq?: string } }>(
    '/:workspaceId/web-tasks/:webTaskId/events',
    { sse: 'only', schema: eventsRouteSchema },
    async (request, reply) => {
      const { workspaceId, webTaskId } = request.params;
      checkTaskId(webTaskId);
      const afterSeq =
        parseAfterSeq(request.query.afterSeq) ?? parseAfterSeq(reply.sse.lastEventId ?? undefined);
      // Answer 404 as JSON before the stream starts.
      await orNotFound(webTaskId, () => engine.result({ workspaceId, webTaskId }));
      const controller = new AbortController();
      const stop = () => controller.abort();
      reply.sse.onClose(stop);
      shutdownSignal.addEventListener('abort', stop, { once: true });
      reply.header('cache-control', 'no-store');
      reply.header('x-accel-buffering', 'no');
      async function* frames() {
        for await (const item of engine.events({
          workspaceId,
          webTaskId,
          ...(afterSeq !== undefined ? { afterSeq } : {}),
          signal: controller.signal,
        })) {
          if (item.type === 'event') {
            yield { id: String(item.entry.seq), event: String(item.entry.event.type), data: item.entry };
          } else {
            yield { event: 'result', data: item.result };
          }
        }
      }
      try {
        await reply.sse.send(frames());
      } finally {
        shutdownSignal.removeEventListener('abort', stop);
      }
    },
  );
}
