import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER_MAIN = path.resolve(here, '../../../apps/server/dist/main.js');
export const WORKSPACE = 'acme';
const API_KEY = 'real-server-key-0123456789';

/**
 * The built server (`apps/server/dist/main.js`) as its own process with its default assembly:
 * real Chromium, isolated-vm children, ts-morph, filesystem stores in a fresh directory, no
 * model (saved code only). `env` adds WEBTASKS_* variables, `nodeArgs` Node options (`--cpu-prof`).
 */
export class RealServer {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly output: string[],
    private readonly dataDir: string,
  ) {}

  static async start(env: Record<string, string>, nodeArgs: string[] = []): Promise<RealServer> {
    if (!existsSync(SERVER_MAIN))
      throw new Error(
        `${SERVER_MAIN} is missing: run \`pnpm turbo run build --filter=@webtasks/server...\` first`,
      );
    const dataDir = mkdtempSync(path.join(tmpdir(), 'webtasks-real-server-'));
    const child = spawn(process.execPath, [...nodeArgs, SERVER_MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        WEBTASKS_API_KEYS: `${WORKSPACE}:${API_KEY}`,
        WEBTASKS_PORT: '0',
        WEBTASKS_HOST: '127.0.0.1',
        WEBTASKS_DATA_DIR: dataDir,
        WEBTASKS_LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      const onData = (chunk: Buffer) => {
        buffered += chunk;
        output.push(String(chunk));
        const match = /"url":"(http:\/\/[^"]+)"/.exec(buffered);
        if (match?.[1]) resolve(match[1]);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output.join('')}`)));
    });
    return new RealServer(child, url, output, dataDir);
  }

  /** The server process's resident set (its own, without Chromium and the isolate children). */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  }

  async api<T = Record<string, unknown>>(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}/${WORKSPACE}${route}`, {
      method,
      headers: {
        'x-api-key': API_KEY,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** Save `source` under `reuseKey` (the import's verification run gets no parameters). */
  async importBundle(reuseKey: string, source: string): Promise<void> {
    const saved = await this.api('PUT', `/bundles/${reuseKey}`, { source, outputSchema: { type: 'object' } });
    if (saved.status !== 201)
      throw new Error(`import of ${reuseKey}: ${saved.status} ${JSON.stringify(saved.body)}`);
  }

  /** Start a task and wait for its result. */
  async run(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const started = await this.api<{ webTaskId: string }>('POST', '/web-tasks/start', request);
    if (started.status !== 202) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
    for (;;) {
      const result = await this.api('GET', `/web-tasks/${started.body.webTaskId}/result?waitSeconds=30`);
      if (result.body.status === 'completed') return result.body;
    }
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
