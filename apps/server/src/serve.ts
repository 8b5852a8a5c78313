import { checkJsonSchema } from '@webtasks/protocol';
import pino, { type Logger as PinoLogger } from 'pino';
import { createApiKeyAuth } from './api-keys.js';
import { type Assembly, assemble, describeModel } from './assemble.js';
import type { ServerConfig } from './config.js';
import { createServer } from './create-server.js';
import { pinoEngineLogger } from './engine-logger.js';

/** A started server process: its URL and how to stop it. */
export interface RunningServer {
  url: string;
  /** The API's base (`{url}/{workspaceId}/web-tasks`) and docs URLs; absent for a worker-only process. */
  apiUrl?: string;
  docsUrl?: string;
  /** Stop accepting requests, answer open long-polls, let running tasks finish, release adapters. */
  shutdown(reason: string): Promise<void>;
}

/** Options of `startServer` (tests swap the assembly and the logger). */
export interface StartServerOptions {
  log?: PinoLogger;
  assembleEngine?: typeof assemble;
}

/**
 * Assemble the engine from `config`, start the worker when the role includes it, and serve
 * HTTP (the API, or only health and files for `WEBTASKS_ROLE=worker`).
 */
export async function startServer(
  config: ServerConfig,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const log =
    options.log ??
    pino({
      level: config.logLevel,
      name: 'webtasks',
      redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
    });
  const assembly: Assembly = await (options.assembleEngine ?? assemble)(config, pinoEngineLogger(log));
  const app = await createServer({
    engine: assembly.engine,
    auth: createApiKeyAuth(config.apiKeys),
    blobs: assembly.blobs,
    loggerInstance: log,
    api: config.role !== 'worker',
    bodyLimitBytes: config.bodyLimitBytes,
    maxWaitSeconds: config.maxWaitSeconds,
    publicUrl: config.publicUrl,
    trustProxy: config.trustProxy,
  });
  if (config.role !== 'api') {
    // The JSON Schema validator compiles its meta-schema on first use: a few hundred
    // synchronous milliseconds on a busy machine, paid here rather than in the first task's
    // check of an output schema, while /healthz and other tenants wait.
    checkJsonSchema({ type: 'object' });
    await assembly.engine.startWorker({ concurrency: config.workerConcurrency });
  }
  const url = await app.listen({ host: config.host, port: config.port });
  const model = describeModel(config);
  for (const warning of config.warnings) log.warn(warning);
  const api = config.role === 'worker' ? undefined : `${url}/{workspaceId}/web-tasks`;
  log.info(
    {
      url,
      api,
      docs: api ? `${url}/docs` : undefined,
      dashboard: api ? `${url}/ui` : undefined,
      role: config.role,
      model,
      store: config.store.kind,
      blobs: config.blobs.kind,
    },
    api
      ? `webtasks server listening: API ${api}, docs ${url}/docs, model ${model}`
      : `webtasks worker listening on ${url} (health and files only)`,
  );

  let stopping: Promise<void> | undefined;
  return {
    url,
    ...(api ? { apiUrl: api, docsUrl: `${url}/docs` } : {}),
    shutdown(reason) {
      stopping ??= (async () => {
        log.info({ reason }, 'shutting down: no new requests or tasks, running tasks finish');
        // The worker stops taking tasks at once (not after the HTTP server has drained); the
        // task store stays open until both are done, so open long-polls still get answers.
        const draining = assembly.engine.close({ graceful: true, timeoutMs: config.shutdownTimeoutMs });
        await app.close();
        await draining;
        await assembly.close();
        log.info('shut down');
      })();
      return stopping;
    },
  };
}
