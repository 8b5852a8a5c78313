import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeEngine } from './__fixtures__/fake-engine.js';
import { createWebTasksMcpHttpHandler } from './http-handler.js';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve() {
  const fake = createFakeEngine();
  const handler = createWebTasksMcpHttpHandler({ engine: fake.engine, watchIntervalMs: 0 });
  const server: Server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    await handler.handle({ req, res, body: raw ? JSON.parse(raw) : undefined, workspaceId: 'ws_http' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  cleanups.push(async () => {
    await handler.close();
    await new Promise((resolve) => server.close(resolve));
    await fake.engine.close();
  });
  return { handler, url };
}

describe('createWebTasksMcpHttpHandler', () => {
  it('opens a session per initialize, keeps none for a refused one, and closes them all', async () => {
    const { handler, url } = await serve();
    const refused = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(INITIALIZE),
    });
    expect(refused.status).toBe(406);
    expect(handler.sessionCount).toBe(0);
    const opened = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(INITIALIZE),
    });
    expect(opened.status).toBe(200);
    expect(opened.headers.get('mcp-session-id')).toBeTruthy();
    await opened.text();
    expect(handler.sessionCount).toBe(1);
    await handler.close();
    expect(handler.sessionCount).toBe(0);
  });

  it('answers 400 to a request without a session that is not an initialize, and 404 to an unknown session', async () => {
    const { url } = await serve();
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    const noSession = await fetch(url, { method: 'POST', headers, body });
    expect(noSession.status).toBe(400);
    expect(JSON.stringify(await noSession.json())).toContain('start with an initialize request');
    const unknown = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': 'nope' },
      body,
    });
    expect(unknown.status).toBe(404);
  });
});
