import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeEngine } from './__fixtures__/fake-engine.js';
import { loadConfig } from './config.js';
import { startServer } from './serve.js';

describe('startServer', () => {
  it('serves the API, starts the worker, and shuts down in order: HTTP, engine, adapters', async () => {
    const engine = new FakeEngine();
    const order: string[] = [];
    const config = loadConfig({ WEBTASKS_API_KEYS: 'acme:k', ANTHROPIC_API_KEY: 'x', WEBTASKS_PORT: '0' });
    let workerStarted = false;
    engine.startWorker = async () => {
      workerStarted = true;
    };
    const close = engine.close.bind(engine);
    engine.close = async (options) => {
      order.push(`engine graceful=${options?.graceful}`);
      await close(options);
    };
    const server = await startServer(config, {
      log: pino({ level: 'silent' }),
      assembleEngine: async () => ({
        engine,
        blobs: { specificationVersion: 'v1', capabilities: { signedUrls: 'native' } } as never,
        close: async () => {
          order.push('adapters');
        },
      }),
    });
    expect(workerStarted).toBe(true);
    const started = await fetch(`${server.url}/acme/web-tasks/start`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'x' }),
    });
    expect(started.status).toBe(202);
    const { webTaskId } = (await started.json()) as { webTaskId: string };
    // A long-poll open during shutdown is answered with the current state.
    const polling = fetch(`${server.url}/acme/web-tasks/${webTaskId}/result?waitSeconds=30`, {
      headers: { 'x-api-key': 'k' },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const began = Date.now();
    await server.shutdown('SIGTERM');
    expect((await (await polling).json()) as { status: string }).toMatchObject({ status: 'pending' });
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(order).toEqual(['engine graceful=true', 'adapters']);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('serves only health for the worker role', async () => {
    const engine = new FakeEngine();
    const config = {
      ...loadConfig({ WEBTASKS_API_KEYS: 'acme:k', ANTHROPIC_API_KEY: 'x', WEBTASKS_PORT: '0' }),
      role: 'worker' as const,
    };
    const server = await startServer(config, {
      log: pino({ level: 'silent' }),
      assembleEngine: async () => ({ engine, blobs: {} as never, close: async () => {} }),
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/acme/web-tasks/start`, { method: 'POST' })).status).toBe(404);
    await server.shutdown('test');
  });
});
