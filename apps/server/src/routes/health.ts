import type { WebTasksEngine } from '@webtasks/core';
import type { FastifyInstance } from 'fastify';
import { healthRouteSchema, readyRouteSchema } from '../route-schemas.js';

/** A readiness check: resolves when the dependency answers, rejects (or times out) when not. */
export type ReadinessCheck = (options: { signal: AbortSignal }) => Promise<void>;

export interface HealthRoutesOptions {
  engine: WebTasksEngine;
  checks: Record<string, ReadinessCheck>;
  /** Aborted when the server is shutting down: readiness then fails at once. */
  shutdownSignal: AbortSignal;
  timeoutMs: number;
}

/**
 * The default engine check: read a task that cannot exist. It goes through the engine to its
 * task store, so a store that is down makes the server not ready.
 */
export function engineReadinessCheck(engine: WebTasksEngine): ReadinessCheck {
  return async ({ signal }) => {
    await engine.getTask({ workspaceId: '_readyz', webTaskId: 'wt_readyz_probe', signal });
  };
}

/** Runs one check; answers 'ok', 'timeout' or 'failed' (details go to the log, not the public body). */
async function runCheck(
  check: ReadinessCheck,
  timeoutMs: number,
): Promise<{ status: string; detail?: string }> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`timeout: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    await Promise.race([check({ signal: controller.signal }), timeout]);
    return { status: 'ok' };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { status: detail.startsWith('timeout:') ? 'timeout' : 'failed', detail };
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz` (the process answers) and `/readyz` (the engine and stores answer). */
export async function healthRoutes(app: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  app.get('/healthz', { schema: healthRouteSchema }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: readyRouteSchema }, async (request, reply) => {
    if (options.shutdownSignal.aborted) {
      return reply.code(503).send({ status: 'not-ready', checks: { server: 'shutting down' } });
    }
    const names = Object.keys(options.checks);
    const outcomes = await Promise.all(
      names.map((name) => runCheck(options.checks[name]!, options.timeoutMs)),
    );
    const checks = Object.fromEntries(names.map((name, index) => [name, outcomes[index]!.status]));
    const ready = outcomes.every((outcome) => outcome.status === 'ok');
    if (!ready) {
      const details = Object.fromEntries(names.map((name, index) => [name, outcomes[index]!.detail ?? 'ok']));
      request.log.warn({ checks: details }, 'not ready');
    }
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });
}
