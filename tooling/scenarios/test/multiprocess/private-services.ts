import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitReachable(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * A Redis server of this test alone, without persistence (as `tooling/scripts/services.sh`
 * runs the shared one), so that restarting it loses every key and disturbs nobody else.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.launch();
    return redis;
  }

  private async launch(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitReachable(this.port, 10_000);
  }

  /** Kill it (its data is gone), keep it down for `downMs`, start an empty one. */
  async restart(downMs: number): Promise<void> {
    await this.stop();
    await sleep(downMs);
    await this.launch();
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/**
 * A PostgreSQL cluster of this test alone (initdb in a temp directory, trust auth, its own
 * port), so that stopping it mid-load disturbs no other test on the machine.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly directory: string,
    private readonly bin: string,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const [version] = (await run('ls', ['/usr/lib/postgresql'])).stdout.trim().split('\n');
    const bin = `/usr/lib/postgresql/${version}/bin`;
    const directory = await mkdtemp(path.join(tmpdir(), 'webtasks-pg-'));
    await chmod(directory, 0o700);
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    await chown(directory, uid, uid);
    const pg = new PrivatePostgres(await freePort(), directory, bin);
    await pg.asPostgres(`${bin}/initdb`, [
      '-D',
      path.join(directory, 'data'),
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
    ]);
    await pg.ctl('start');
    return pg;
  }

  private asPostgres(command: string, args: string[]) {
    return run('runuser', ['-u', 'postgres', '--', command, ...args]);
  }

  private async ctl(action: 'start' | 'stop'): Promise<void> {
    const data = path.join(this.directory, 'data');
    if (action === 'start') {
      await this.asPostgres(`${this.bin}/pg_ctl`, [
        '-D',
        data,
        '-l',
        path.join(this.directory, 'log'),
        '-o',
        `-p ${this.port} -k ${this.directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
        '-w',
        'start',
      ]);
    } else {
      await this.asPostgres(`${this.bin}/pg_ctl`, ['-D', data, '-m', 'fast', '-w', 'stop']);
    }
  }

  /** Stop it, keep it down for `downMs`, start it again (data kept). */
  async restart(downMs: number): Promise<void> {
    await this.ctl('stop');
    try {
      await sleep(downMs);
    } finally {
      await this.ctl('start');
    }
  }

  async close(): Promise<void> {
    await this.ctl('stop').catch(() => undefined);
    await rm(this.directory, { recursive: true, force: true });
  }
}
