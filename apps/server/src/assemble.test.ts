import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '@webtasks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyAuth } from './api-keys.js';
import { assemble, fileSecret } from './assemble.js';
import { loadConfig } from './config.js';
import { createServer } from './create-server.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'webtasks-assemble-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const env = () => ({ WEBTASKS_API_KEYS: 'acme:k', ANTHROPIC_API_KEY: 'sk-test', WEBTASKS_DATA_DIR: dataDir });

describe('assemble (filesystem defaults)', () => {
  it('generates the file secret once, keeps it private, and reuses it', async () => {
    const config = loadConfig(env());
    const first = await fileSecret(config);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(await fileSecret(config)).toBe(first);
    expect((await stat(path.join(dataDir, 'file-secret'))).mode & 0o077).toBe(0);
    expect(await fileSecret({ ...config, fileSecret: 'configured-secret-123' })).toBe(
      'configured-secret-123',
    );
  });

  it('builds an engine on the filesystem stores whose signed file URLs the server serves', async () => {
    const config = loadConfig({ ...env(), WEBTASKS_PUBLIC_URL: 'https://webtasks.example.com' });
    const assembly = await assemble(config, silentLogger);
    const app = await createServer({
      engine: assembly.engine,
      auth: createApiKeyAuth(config.apiKeys),
      blobs: assembly.blobs,
    });
    try {
      expect(await assembly.engine.getTask({ workspaceId: 'acme', webTaskId: 'wt_none' })).toBeUndefined();
      const key = 'acme/tasks/wt_1/result.json';
      await assembly.blobs.put({
        key,
        body: new TextEncoder().encode('[1,2,3]'),
        contentType: 'application/json',
      });
      const signed = await assembly.blobs.signedUrl({ key, expiresInSeconds: 60 });
      expect(signed.url.startsWith('https://webtasks.example.com/files/')).toBe(true);
      const url = new URL(signed.url);
      const served = await app.inject({ url: `${url.pathname}${url.search}` });
      expect(served.statusCode).toBe(200);
      expect(served.headers['content-type']).toBe('application/json');
      expect(served.body).toBe('[1,2,3]');
      const forged = await app.inject({ url: `${url.pathname.replace('wt_1', 'wt_2')}${url.search}` });
      expect(forged.statusCode).toBe(403);
      expect((await app.inject({ url: '/readyz' })).json()).toEqual({
        status: 'ready',
        checks: { engine: 'ok' },
      });
    } finally {
      await app.close();
      await assembly.engine.close({ graceful: true });
      await assembly.close();
    }
  });
});
