import { StartRequestSchema } from '@webtasks/protocol';
import type { WebTasksEngine } from '../engine-api.js';
import { WebTasksError } from '../errors.js';
import type { JsonObject, JsonSchema } from '../ports/common.js';
import type { TaskRecord } from '../ports/task-store.js';
import { createSecretRedactor } from '../secrets/redaction.js';
import type { EngineParts } from './engine-parts.js';
import { acceptRequestSecrets } from './task-secrets.js';

function invalidRequest(issues: Array<{ path: PropertyKey[]; message: string }>): WebTasksError {
  const summary = issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
  return new WebTasksError({
    code: 'invalid-request',
    message: `The request is invalid: ${summary}`,
    details: issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}

/**
 * The engine's `start`: validate the request, insert the pending record (the store enforces
 * the queued limit) and enqueue it. `engine` is the assembled engine (its worker starts on the
 * first start); `isClosed` says whether it was closed.
 */
export function createStart(
  parts: EngineParts,
  engine: () => WebTasksEngine,
  isClosed: () => boolean,
): WebTasksEngine['start'] {
  const { options, limits, clock, ids, logger, hub, webhooks, requestSecrets, proxyPasswords, enqueuing } =
    parts;
  return async ({ workspaceId, request, signal }) => {
    if (isClosed()) throw new WebTasksError({ code: 'internal-error', message: 'The engine is closed.' });
    const parsed = StartRequestSchema.safeParse(request);
    if (!parsed.success) throw invalidRequest(parsed.error.issues);
    const body = parsed.data;
    const webhook = await webhooks.forStart(workspaceId, body.webhook);
    const webTaskId = ids.next('wt');
    const reuseKey = body.reuseKey ?? ids.next('wtr');
    // A secret value the caller also wrote into the task or parameters is stored as its placeholder.
    const given = body.secrets ? createSecretRedactor(body.secrets) : undefined;
    const record: TaskRecord = {
      webTaskId,
      workspaceId,
      request: {
        task: given ? given.redact(body.task) : body.task,
        ...(body.startUrl ? { startUrl: body.startUrl } : {}),
        parameters: (given ? given.redactJson(body.parameters ?? {}) : (body.parameters ?? {})) as JsonObject,
        ...(body.outputSchema !== undefined ? { outputSchema: body.outputSchema as JsonSchema } : {}),
        reuseKey,
        reuseKeyGenerated: body.reuseKey === undefined,
        model: body.model ?? 'haiku',
        ...((body.debug?.trace ?? options.traceByDefault) ? { debug: { trace: true } } : {}),
        ...(body.proxy
          ? {
              proxy: {
                server: body.proxy.server,
                ...(body.proxy.username !== undefined ? { username: body.proxy.username } : {}),
                ...(body.proxy.password !== undefined ? { hasPassword: true } : {}),
              },
            }
          : {}),
        ...(body.sideEffects ? { sideEffects: true } : {}),
        ...(body.auth ? { auth: { session: body.auth.session } } : {}),
        ...acceptRequestSecrets(requestSecrets, { workspaceId, webTaskId }, body.secrets),
      },
      status: 'pending',
      reuse: { key: reuseKey, used: false, created: false, updated: false },
      attempts: 0,
      createdAt: new Date(clock.now()).toISOString(),
    };
    if (body.proxy?.password !== undefined) proxyPasswords.set(webTaskId, body.proxy.password);
    // This start enqueues the task itself: the reconciler leaves it alone meanwhile, or its
    // sweep could enqueue same-key tasks out of submission order.
    enqueuing.add(webTaskId);
    try {
      // The store checks the queued limit atomically with the insert.
      await options.tasks.create({
        task: record,
        maxPending: limits.maxQueuedPerWorkspace,
        ...(signal ? { signal } : {}),
      });
      if (webhook) await webhooks.record(record, webhook);
    } catch (error) {
      enqueuing.delete(webTaskId);
      proxyPasswords.delete(webTaskId);
      requestSecrets.held.delete(webTaskId);
      throw error;
    }
    hub.emit({ type: 'status', webTaskId, status: 'pending' });
    logger.info('task accepted', { workspaceId, webTaskId, reuseKey });
    try {
      if (parts.workerSetting !== false) await engine().startWorker();
      await options.queue.enqueue({ message: { workspaceId, webTaskId }, ...(signal ? { signal } : {}) });
    } catch (error) {
      // The record is the truth: a worker's reconciler enqueues a pending task the queue
      // never got, so the start stands (answering an error would invite a second start).
      if (!parts.canReconcile || signal?.aborted) throw error;
      logger.warn('could not enqueue a new task; the reconciler will', { webTaskId, error: String(error) });
    } finally {
      enqueuing.delete(webTaskId);
    }
    return { webTaskId, status: 'pending', reuseKey };
  };
}
