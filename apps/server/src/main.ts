#!/usr/bin/env node
/**
 * The server process: configuration from environment variables (see README), JSON logs on
 * stdout, graceful shutdown on SIGTERM/SIGINT (a second signal exits at once).
 */
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './serve.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const server = await startServer(config);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    // Give graceful shutdown its time, plus a margin, then give up.
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 5_000).unref();
    server.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(JSON.stringify({ level: 50, msg: 'shutdown failed', err: String(error) }));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  console.error(
    JSON.stringify({
      level: 60,
      msg: 'webtasks server failed to start',
      err: String((error as Error)?.stack ?? error),
    }),
  );
  process.exit(1);
});
