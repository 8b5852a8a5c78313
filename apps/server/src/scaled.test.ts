import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { silentLogger } from '@webtasks/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiKeyAuth } from './api-keys.js';
import { type Assembly, assemble } from './assemble.js';
import { loadConfig } from './config.js';
import { createServer } from './create-server.js';

const run = promisify(execFile);

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

const services = (await reachable(5432)) && (await reachable(6379));
const label = `wt_server_${randomBytes(4).toString('hex')}`;
let assembly: Assembly | undefined;

afterAll(async () => {
  await assembly?.engine.close({ graceful: false });
  await assembly?.close();
  // Leave the shared services as they were.
  await run('psql', [
    '-h',
    '127.0.0.1',
    '-U',
    process.env.PGUSER || 'postgres',
    '-d',
    'test',
    '-c',
    `DROP SCHEMA IF EXISTS "${label}" CASCADE`,
  ]).catch(() => {});
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '--scan', '--pattern', `${label}*`]).catch(
    () => ({ stdout: '' }),
  );
  const keys = stdout.split('\n').filter(Boolean);
  if (keys.length > 0) await run('redis-cli', ['-h', '127.0.0.1', 'del', ...keys]).catch(() => {});
});

describe.skipIf(!services)('scaled-out API process (PostgreSQL + Redis locks + BullMQ)', () => {
  it('accepts tasks into Postgres and BullMQ and reads them back, without running them', async () => {
    const config = loadConfig({
      WEBTASKS_ROLE: 'api',
      WEBTASKS_STORE: 'postgres',
      WEBTASKS_POSTGRES_URL: `postgres://${process.env.PGUSER || 'postgres'}@127.0.0.1:5432/test`,
      WEBTASKS_POSTGRES_SCHEMA: label,
      WEBTASKS_LOCKS: 'redis',
      WEBTASKS_QUEUE: 'bullmq',
      WEBTASKS_REDIS_PREFIX: label,
      WEBTASKS_API_KEYS: 'acme:k',
      WEBTASKS_FILE_SECRET: 'scaled-test-secret-0123',
      WEBTASKS_DATA_DIR: `/tmp/${label}`,
    });
    assembly = await assemble(config, silentLogger);
    const app = await createServer({
      engine: assembly.engine,
      auth: createApiKeyAuth(config.apiKeys),
      blobs: assembly.blobs,
    });
    try {
      const started = await app.inject({
        method: 'POST',
        url: '/acme/web-tasks/start',
        headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
        payload: { task: 'Read the table', reuseKey: 'table' },
      });
      expect(started.statusCode).toBe(202);
      const { webTaskId } = started.json() as { webTaskId: string };
      const result = await app.inject({
        url: `/acme/web-tasks/${webTaskId}/result?waitSeconds=0.3`,
        headers: { 'x-api-key': 'k' },
      });
      expect(result.json()).toMatchObject({ webTaskId, status: 'pending', reuse: { key: 'table' } });
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '--scan', '--pattern', `${label}*`]);
      expect(stdout).toContain(label);
    } finally {
      await app.close();
    }
  });
});
