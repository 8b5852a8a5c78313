import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseFlags, parseNumber } from '../flags.js';
import { SERVE_HELP } from '../help.js';

/**
 * `webtasks serve [--port N] [--host HOST]`: the server app (`@webtasks/server`), configured
 * from the environment like its own binary; the flags override WEBTASKS_PORT / WEBTASKS_HOST.
 * Runs until Ctrl-C or SIGTERM, then shuts down gracefully (running tasks finish).
 */
export async function serveCommand(args: string[], ctx: CliContext): Promise<number> {
  const flags = parseFlags(args, { port: { type: 'string' }, host: { type: 'string' } }, 'serve');
  if (flags.boolean('help')) {
    ctx.stdout.write(`${SERVE_HELP}\n`);
    return EXIT.ok;
  }
  const port = parseNumber(flags.string('port'), '--port', { integer: true, allowZero: true });
  if (port !== undefined && port > 65_535) throw new CliError('--port must be at most 65535.', EXIT.usage);
  const host = flags.string('host');
  const env = {
    ...ctx.env,
    ...(port !== undefined ? { WEBTASKS_PORT: String(port) } : {}),
    ...(host !== undefined ? { WEBTASKS_HOST: host } : {}),
  };
  const { ConfigError, describeModel, loadConfig, startServer } = await import('@webtasks/server');
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new CliError(`${error.message}\nSee docs/configuration.md for every variable.`, EXIT.usage);
    }
    throw error;
  }
  if (ctx.signal.aborted) return EXIT.interrupted;
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (error) {
    throw new CliError(`The server could not start: ${(error as Error).message}`, EXIT.network);
  }
  const model = describeModel(config);
  ctx.stderr.write(
    server.apiUrl
      ? `webtasks server (role ${config.role}) listening on ${server.url}\n  API   ${server.apiUrl}\n  docs  ${server.docsUrl}\n  model ${model}\nCtrl-C stops it\n`
      : `webtasks worker listening on ${server.url} (health and files); Ctrl-C stops it\n`,
  );
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  ctx.stderr.write('shutting down: running tasks finish first\n');
  await server.shutdown('signal');
  return EXIT.ok;
}
