import { spawn } from 'node:child_process';
import { CLI_PATH, cliEnv } from './run-cli.js';

/** A `webtasks serve` started by a test. */
export interface ServeProcess {
  /** `http://127.0.0.1:<port>`, from the line the server prints when it listens. */
  readonly baseUrl: string;
  /** Everything the server printed so far (stdout and stderr). */
  log(): string;
  /** SIGTERM (a graceful shutdown), then SIGKILL after 20 s. */
  stop(): Promise<void>;
}

/**
 * Start the built `webtasks serve --port 0` with `env` (on top of `cliEnv`: no model configured,
 * so only saved code runs) and wait for the line with its URL.
 */
export async function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI_PATH, 'serve', '--port', '0'], {
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk;
      const match = /listening on (http:\/\/\S+)\s/.exec(log);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`webtasks serve exited with ${code}:\n${log}`)));
  });
  return {
    baseUrl,
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
