import pino, { type Logger as PinoLogger } from 'pino';
import { createApiKeyAuth } from './api-keys.js';
import { type Assembly, assemble } from './assemble.js';
import type { ServerConfig } from './config.js';
import { createServer } from './create-server.js';
import { pinoEngineLogger } from './engine-logger.js';

/** A started server process: its URL and how to stop it. */
export interface RunningServer {
  url: string;
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
  if (config.role !== 'api') await assembly.engine.startWorker({ concurrency: config.workerConcurrency });
  const url = await app.listen({ host: config.host, port: config.port });
  log.info(
    { url, role: config.role, store: config.store.kind, blobs: config.blobs.kind },
    'webtasks server listening',
  );

  let stopping: Promise<void> | undefined;
  return {
    url,
    shutdown(reason) {
      stopping ??= (async () => {
        log.info({ reason }, 'shutting down: no new requests, running tasks finish');
        await app.close();
        await assembly.engine.close({ graceful: true, timeoutMs: config.shutdownTimeoutMs });
        await assembly.close();
        log.info('shut down');
      })();
      return stopping;
    },
  };
}
