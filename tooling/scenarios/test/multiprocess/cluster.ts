import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WebTasksClient } from '@webtasks/client';
import type { TaskRecord } from '@webtasks/core';
import type { TaskStatus } from '@webtasks/protocol';
import { createPostgresStores } from '@webtasks/store-postgres';
import S3rver from 's3rver';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../../..');
const entry = path.join(here, 'server-process.mjs');
const PGUSER = process.env.PGUSER || 'postgres';
export const POSTGRES_URL = `postgres://${PGUSER}@127.0.0.1:5432/test`;
export const WORKSPACE = 'acme';
const API_KEY = 'multiprocess-key';

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** PostgreSQL and Redis up (started by `tooling/scripts/services.sh` when down), packages built. */
export async function ensurePrerequisites(): Promise<void> {
  if (!(await reachable(5432)) || !(await reachable(6379))) {
    await run('bash', [path.join(root, 'tooling/scripts/services.sh')]);
  }
  const built = ['apps/server/dist/index.js', 'packages/test-suite/dist/index.js'];
  const missing = built.filter((file) => !existsSync(path.join(root, file)));
  if (missing.length > 0) {
    throw new Error(
      `The multiprocess scenarios run the built server (${missing.join(', ')} missing): run \`pnpm exec turbo run build\` first.`,
    );
  }
}

/** One line of a server process's sandbox log. */
export interface Execution {
  pid: number;
  event: 'start' | 'end';
  key: string | null;
  runNumber: number | null;
  at: number;
  startedAt?: number;
  ok?: boolean;
}

export interface ServerProcess {
  role: 'api' | 'worker' | 'both';
  child: ChildProcess;
  url: string;
  output: string[];
}

export interface ClusterOptions {
  roles: Array<'api' | 'worker' | 'both'>;
  /** Extra environment for every process (WEBTASKS_* or MP_* knobs of server-process.mjs). */
  env?: Record<string, string>;
  /** PostgreSQL to use instead of the shared one (a `PrivatePostgres`). */
  postgresUrl?: string;
  /** Redis to use instead of the shared one (a `PrivateRedis`). */
  redisUrl?: string;
}

/**
 * Real server processes sharing one PostgreSQL schema, one Redis prefix and one s3rver
 * bucket, all named after a random label so tests never share state.
 */
export class Cluster {
  readonly label = `wt_mp_${randomBytes(4).toString('hex')}`;
  readonly processes: ServerProcess[] = [];
  readonly executionsFile: string;
  readonly stores: ReturnType<typeof createPostgresStores>;
  private constructor(
    private readonly options: ClusterOptions,
    private readonly directory: string,
    private readonly s3: S3rver,
    private readonly s3Endpoint: string,
  ) {
    this.executionsFile = path.join(directory, 'executions.jsonl');
    this.stores = createPostgresStores({ connectionString: this.postgresUrl, schema: this.label });
  }

  get postgresUrl(): string {
    return this.options.postgresUrl ?? POSTGRES_URL;
  }

  /** WEBTASKS_DATA_DIR of every process (the filesystem stores live here with WEBTASKS_STORE=fs). */
  get dataDir(): string {
    return this.directory;
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const directory = await mkdtemp(path.join(tmpdir(), 'webtasks-multiprocess-'));
    const s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: path.join(directory, 's3'),
      configureBuckets: [{ name: 'results', configs: [] }],
    });
    const address = (await s3.run()) as AddressInfo;
    const cluster = new Cluster(options, directory, s3, `http://127.0.0.1:${address.port}`);
    try {
      // The first process runs the migrations; the others then start at once.
      await cluster.spawn(options.roles[0]!);
      await Promise.all(options.roles.slice(1).map((role) => cluster.spawn(role)));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  private environment(role: string): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      WEBTASKS_ROLE: role,
      WEBTASKS_HOST: '127.0.0.1',
      WEBTASKS_PORT: '0',
      WEBTASKS_STORE: 'postgres',
      WEBTASKS_POSTGRES_URL: this.postgresUrl,
      WEBTASKS_POSTGRES_SCHEMA: this.label,
      WEBTASKS_BLOBS: 's3',
      WEBTASKS_S3_BUCKET: 'results',
      WEBTASKS_S3_ENDPOINT: this.s3Endpoint,
      WEBTASKS_S3_REGION: 'us-east-1',
      WEBTASKS_S3_FORCE_PATH_STYLE: 'true',
      WEBTASKS_S3_PREFIX: `${this.label}/`,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      WEBTASKS_LOCKS: 'redis',
      WEBTASKS_QUEUE: 'bullmq',
      WEBTASKS_REDIS_PREFIX: this.label,
      ...(this.options.redisUrl ? { WEBTASKS_REDIS_URL: this.options.redisUrl } : {}),
      WEBTASKS_API_KEYS: `${WORKSPACE}:${API_KEY}`,
      WEBTASKS_DATA_DIR: this.directory,
      WEBTASKS_FILE_SECRET: 'multiprocess-file-secret',
      // The model is a fake; the configuration still wants a key on workers.
      ANTHROPIC_API_KEY: 'unused-by-the-fake-model',
      WEBTASKS_LOG_LEVEL: 'warn',
      WEBTASKS_SHUTDOWN_TIMEOUT_MS: '5000',
      MP_EXECUTIONS_FILE: this.executionsFile,
      ...this.options.env,
    };
  }

  /** Start one more server process and wait until it listens. */
  async spawn(role: 'api' | 'worker' | 'both'): Promise<ServerProcess> {
    const child = spawn(process.execPath, ['--no-node-snapshot', entry], {
      env: this.environment(role),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server: ServerProcess = { role, child, url: '', output: [] };
    this.processes.push(server);
    const collect = (chunk: Buffer) => server.output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = server.output.find((line) => line.startsWith('MP_READY '));
      if (ready) {
        server.url = ready.slice('MP_READY '.length);
        return server;
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `${role} process did not start (exit ${child.exitCode}):\n${server.output.slice(-20).join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** A client of the first process that serves the API. */
  client(): WebTasksClient {
    const api = this.processes.find((p) => p.role !== 'worker' && p.child.exitCode === null);
    if (!api) throw new Error('no API process is running');
    return new WebTasksClient({ apiKey: API_KEY, workspaceId: WORKSPACE, baseUrl: api.url, maxRetries: 6 });
  }

  /** Log lines of every process that match `pattern` (the processes log at `warn` and above). */
  logged(pattern: RegExp): string[] {
    return this.processes.flatMap((p) => p.output.filter((line) => pattern.test(line)));
  }

  executions(): Execution[] {
    if (!existsSync(this.executionsFile)) return [];
    return readFileSync(this.executionsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Execution);
  }

  counts(): Promise<Record<TaskStatus, number>> {
    return this.stores.tasks.countByStatus({ workspaceId: WORKSPACE });
  }

  async records(ids: string[]): Promise<TaskRecord[]> {
    const records = await Promise.all(
      ids.map((webTaskId) => this.stores.tasks.get({ workspaceId: WORKSPACE, webTaskId })),
    );
    return records.map((record, i) => {
      if (!record) throw new Error(`task ${ids[i]} is missing from PostgreSQL`);
      return record;
    });
  }

  /** Poll until `done(counts)` or fail after `timeoutMs`, calling `onPoll` with every reading. */
  async waitFor(
    done: (counts: Record<TaskStatus, number>) => boolean,
    timeoutMs: number,
    onPoll?: (counts: Record<TaskStatus, number>) => void,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.counts().catch(() => undefined);
      if (counts) {
        onPoll?.(counts);
        if (done(counts)) return;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out; counts ${JSON.stringify(counts)}; logs:\n${this.processes
            .flatMap((p) => p.output.slice(-10).map((line) => `[${p.role} ${p.child.pid}] ${line}`))
            .join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stop every process (SIGTERM, then SIGKILL), drop the schema and the Redis keys. */
  async close(): Promise<void> {
    await Promise.all(
      this.processes.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await this.stores.close().catch(() => undefined);
    // Private services are thrown away whole by their owner.
    if (this.options.postgresUrl === undefined) {
      await run('psql', [
        '-h',
        '127.0.0.1',
        '-U',
        PGUSER,
        '-d',
        'test',
        '-c',
        `DROP SCHEMA IF EXISTS "${this.label}" CASCADE`,
      ]).catch(() => undefined);
    }
    if (this.options.redisUrl === undefined) {
      const { stdout } = await run('redis-cli', [
        '-h',
        '127.0.0.1',
        '--scan',
        '--pattern',
        `${this.label}*`,
      ]).catch(() => ({ stdout: '' }));
      const keys = stdout.split('\n').filter(Boolean);
      for (let i = 0; i < keys.length; i += 500) {
        await run('redis-cli', ['-h', '127.0.0.1', 'del', ...keys.slice(i, i + 500)]).catch(() => undefined);
      }
    }
    await this.s3.close().catch(() => undefined);
    await rm(this.directory, { recursive: true, force: true });
  }
}

/** Largest number of intervals open at once. */
export function maxOverlap(intervals: Array<{ start: number; end: number }>): number {
  const points = intervals.flatMap(({ start, end }) => [
    { at: start, delta: 1 },
    { at: end, delta: -1 },
  ]);
  // Ends before starts at the same instant: touching intervals do not overlap.
  points.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let max = 0;
  for (const point of points) {
    open += point.delta;
    max = Math.max(max, open);
  }
  return max;
}
