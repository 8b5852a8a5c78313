import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { BlobStore, SignedUrlVerifier, WebTasksEngine } from '@webtasks/core';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type { WorkspaceAuth } from './api-keys.js';
import { renderDocsPage } from './docs-page.js';
import { pinoEngineLogger } from './engine-logger.js';
import { HttpError, toHttpError } from './http-errors.js';
import { registerJsonBodyParser } from './json-body-parser.js';
import { QueuedTaskLimit } from './queued-limit.js';
import { filePathParams } from './route-schemas.js';
import { authSessionRoutes } from './routes/auth-sessions.js';
import { bundleRoutes } from './routes/bundles.js';
import { type FileUrlVerifier, fileRoutes } from './routes/files.js';
import { engineReadinessCheck, healthRoutes, type ReadinessCheck } from './routes/health.js';
import { type McpRouteSettings, mcpRoutes } from './routes/mcp.js';
import { runRoutes } from './routes/runs.js';
import { secretRoutes } from './routes/secrets.js';
import { uiRoutes } from './routes/ui.js';
import { webTaskRoutes } from './routes/web-tasks.js';

/** Options of `createServer`. */
export interface CreateServerOptions {
  /** The engine the API drives (`createWebTasks(...)` of `@webtasks/core`, or any implementation). */
  engine: WebTasksEngine;
  /** Which API keys open which workspace (see `createApiKeyAuth`). */
  auth: WorkspaceAuth;
  /**
   * The blob store whose signed URLs this server serves under `/files/*`. A store that signs
   * for the server (`capabilities.signedUrls: 'server'`) and has `verifySignedUrl` (memory,
   * filesystem) needs nothing else; stores with native signing (S3) are not served here.
   */
  blobs?: Pick<BlobStore, 'get'> & Partial<Pick<BlobStore, 'capabilities'> & SignedUrlVerifier>;
  /** Checks signed file URLs, when the store cannot (e.g. the server holds only the secret). */
  fileVerifier?: FileUrlVerifier;
  /** Fastify/pino logger options (`true` for JSON logs at info). Defaults to no logs. */
  logger?: FastifyServerOptions['logger'];
  /** A pino logger to use instead of `logger` (shared with the engine). */
  loggerInstance?: FastifyBaseLogger;
  /** Serve the web-task routes. False for worker-only processes (health and files only). Default true. */
  api?: boolean;
  /** Largest accepted request body. Default 1 MiB. */
  bodyLimitBytes?: number;
  /**
   * Pending tasks per workspace started through this server before it answers 429 itself.
   * Default 0 (off): the engine enforces its own limit against the task store, which also
   * counts tasks started by other processes. Use it for engines that do not.
   */
  maxQueuedPerWorkspace?: number;
  /** Longest long-poll (`waitSeconds`) honoured; larger values are capped. Default 60. */
  maxWaitSeconds?: number;
  /** Extra readiness checks for `/readyz` (the engine is always checked). */
  readinessChecks?: Record<string, ReadinessCheck>;
  /** Time each readiness check may take. Default 2000 ms. */
  readinessTimeoutMs?: number;
  /** Public base URL, listed as the server in the OpenAPI document. */
  publicUrl?: string;
  /**
   * Serve MCP over Streamable HTTP at `/mcp` (with the API routes): the saved automations of
   * the caller's workspace as tools. Default true; an object tunes it.
   */
  mcp?: boolean | McpRouteSettings;
  /** Keep-alive comment interval of event streams. Default 15 s. */
  sseHeartbeatMs?: number;
  /** Trust `x-forwarded-*` headers (behind a reverse proxy). Default false. */
  trustProxy?: boolean;
  /**
   * Serve the dashboard at `/ui` (with the API routes). Default true; `{ assetsDir }` points
   * at another build of its `app.js` and `app.css`.
   */
  dashboard?: boolean | { assetsDir?: string };
}

/** The store's own verifier, when it signs URLs for the server. */
function storeVerifier(blobs: CreateServerOptions['blobs']): FileUrlVerifier | undefined {
  if (blobs?.capabilities?.signedUrls !== 'server' || typeof blobs.verifySignedUrl !== 'function')
    return undefined;
  const verify = blobs.verifySignedUrl.bind(blobs);
  return (url) => verify({ url });
}

const API_DESCRIPTION =
  'Start repeatable web tasks described in plain language and read their results. Authenticate with the x-api-key header of the workspace in the path.';

/**
 * Build the HTTP API around an engine. Returns the Fastify instance, not yet listening:
 * call `listen({ port, host })`, or `inject()` in tests. Closing it stops the long-polls (they
 * answer with the current state) and detaches from the engine; closing the engine is the
 * caller's job (see `main.ts`).
 */
export async function createServer(options: CreateServerOptions): Promise<FastifyInstance> {
  const maxWaitSeconds = options.maxWaitSeconds ?? 60;
  const shutdown = new AbortController();
  const app = Fastify({
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : { logger: options.logger ?? false }),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    routerOptions: { maxParamLength: 512 },
    genReqId: () => `req_${randomUUID()}`,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    frameworkErrors: (error, _request, reply) => {
      const mapped = toHttpError(error);
      // Fastify types the reply of framework errors by route; this one has none.
      (reply as unknown as FastifyReply).code(mapped.statusCode).send(mapped.toBody());
    },
  });

  // Handlers validate with zod (the protocol's schemas); route schemas only document the API.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // JSON is the only body the API takes; text/plain would otherwise reach handlers as a string.
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app);

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });

  app.setErrorHandler((error, request, reply) => {
    const mapped = toHttpError(error);
    if (mapped.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: mapped.code, status: mapped.statusCode }, mapped.message);
    reply.headers(mapped.headers).code(mapped.statusCode).send(mapped.toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    const mapped = new HttpError({
      statusCode: 404,
      code: 'not-found',
      message: `No route ${request.method} ${request.url.split('?')[0]}: see /docs for the API.`,
    });
    reply.code(404).send(mapped.toBody());
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'webtasks API', version: '1.0.0', description: API_DESCRIPTION },
      ...(options.publicUrl === undefined ? {} : { servers: [{ url: options.publicUrl }] }),
      components: {
        securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
      },
    },
    convertConstToEnum: false,
    // `/files/*` is a wildcard route; document it with a named parameter.
    transform: ({ schema, url }) =>
      url === '/files/*'
        ? {
            schema: { ...schema, params: filePathParams } as typeof schema,
            url: '/files/:key',
          }
        : { schema, url },
  });

  const maxQueued = options.maxQueuedPerWorkspace ?? 0;
  const limit = maxQueued > 0 ? new QueuedTaskLimit(options.engine, maxQueued) : undefined;
  const fileVerifier = options.fileVerifier ?? storeVerifier(options.blobs);

  if (options.api !== false) {
    await app.register(webTaskRoutes, {
      engine: options.engine,
      auth: options.auth,
      limit,
      maxWaitSeconds,
      shutdownSignal: shutdown.signal,
    });
    await app.register(runRoutes, {
      engine: options.engine,
      auth: options.auth,
      shutdownSignal: shutdown.signal,
      ...(options.sseHeartbeatMs !== undefined ? { heartbeatMs: options.sseHeartbeatMs } : {}),
    });
    await app.register(bundleRoutes, { engine: options.engine, auth: options.auth });
    await app.register(secretRoutes, { engine: options.engine, auth: options.auth });
    await app.register(authSessionRoutes, { engine: options.engine, auth: options.auth });
  }
  if (options.api !== false && options.mcp !== false) {
    await app.register(mcpRoutes, {
      engine: options.engine,
      auth: options.auth,
      logger: pinoEngineLogger(app.log.child({ component: 'mcp' }) as unknown as PinoLogger),
      ...(typeof options.mcp === 'object' ? options.mcp : {}),
    });
  }
  if (options.api !== false && options.dashboard !== false) {
    await app.register(uiRoutes, typeof options.dashboard === 'object' ? options.dashboard : {});
  }
  if (options.blobs !== undefined && fileVerifier !== undefined) {
    await app.register(fileRoutes, { blobs: options.blobs, verify: fileVerifier });
  }
  await app.register(healthRoutes, {
    engine: options.engine,
    checks: { engine: engineReadinessCheck(options.engine), ...options.readinessChecks },
    shutdownSignal: shutdown.signal,
    timeoutMs: options.readinessTimeoutMs ?? 2000,
  });

  let docsPage: string | undefined;
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // A browser pointed at the server lands on the API docs.
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/docs', 302));
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => {
    docsPage ??= renderDocsPage(app.swagger() as unknown as Record<string, unknown>);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(docsPage);
  });

  app.addHook('preClose', async () => {
    shutdown.abort();
    limit?.close();
  });

  return app;
}
