import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type CallToolResult,
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { JsonObject, WebTasksEngine } from '@webtasks/core';
import { createScriptedLanguageModel, type ScriptedLanguageModel, toolCall } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIST_URL, startRealEngineServer } from './__fixtures__/real-engine-server.js';

const NAMES = Array.from({ length: 30 }, (_, i) => `Company ${String(i).padStart(2, '0')}`);
const SOURCE = [
  'export default async function run(ctx) {',
  `  await ctx.page.goto(${JSON.stringify(LIST_URL)});`,
  "  const names = await ctx.page.locator('.name').allTextContents();",
  '  return { companies: names.slice(0, ctx.params.limit).map((name) => ({ name })) };',
  '}',
].join('\n');
const SCHEMA: JsonObject = {
  type: 'object',
  required: ['companies'],
  properties: {
    companies: {
      type: 'array',
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    },
  },
};
const keys = { ws_mcp_a: 'mcp-key-a-0123', ws_mcp_b: 'mcp-key-b-0123' };

let engine: WebTasksEngine;
let model: ScriptedLanguageModel;
let baseUrl: string;
/** The model hangs (until aborted) while this is set. */
let hang = false;
const clients: Client[] = [];

let server: Awaited<ReturnType<typeof startRealEngineServer>>;

beforeAll(async () => {
  model = createScriptedLanguageModel(
    (options) =>
      new Promise((resolve, reject) => {
        if (!hang)
          return resolve({ content: [toolCall('submit', { source: SOURCE, outputSchema: SCHEMA })] });
        options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
      }),
  );
  server = await startRealEngineServer(keys, {
    names: NAMES,
    model,
    engine: { limits: { inlineResultBytes: 512 } },
    // Short, so a bundle saved behind the engine's back (another process) is noticed in the test.
    server: { mcp: { watchIntervalMs: 100 } },
  });
  ({ engine, baseUrl } = server);
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await server.close();
});

async function connect(apiKey: string) {
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
  });
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  const waiters: Array<() => void> = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    for (const wake of waiters.splice(0)) wake();
  });
  await client.connect(transport);
  clients.push(client);
  return { client, transport, nextListChanged: () => new Promise<void>((resolve) => waiters.push(resolve)) };
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const textOf = (result: CallToolResult) =>
  result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

describe('/mcp (Streamable HTTP, the SDK client, engine on fakes)', () => {
  it('answers 401 without a key or with a wrong one', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${baseUrl}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify(INITIALIZE),
      });
    const missing = await post({});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({
      error: { code: 'unauthenticated', message: expect.stringContaining('Authorization: Bearer') },
    });
    expect((await post({ authorization: 'Bearer wrong-key' })).status).toBe(401);
    expect((await post({ 'x-api-key': keys.ws_mcp_a })).status).toBe(200);
    // Naming the workspace: it must be the key's own.
    expect((await post({ 'x-api-key': keys.ws_mcp_a, 'x-webtasks-workspace': 'ws_mcp_b' })).status).toBe(401);
    expect((await post({ 'x-api-key': keys.ws_mcp_a, 'x-webtasks-workspace': 'ws_mcp_a' })).status).toBe(200);
    const sdk = await connect('wrong-key').catch((error) => error);
    expect(String(sdk)).toContain('The API key is not a valid key of a workspace');
  });

  it('explores a new key, announces the tool on the GET stream, then runs it with 0 model calls', async () => {
    const { client, nextListChanged } = await connect(keys.ws_mcp_a);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual([
      'run_web_task',
      'get_web_task_result',
      'list_automations',
    ]);
    const changed = nextListChanged();
    const progress: string[] = [];
    const explored = (await client.callTool(
      {
        name: 'run_web_task',
        arguments: { task: 'Company names', startUrl: LIST_URL, reuseKey: 'names', parameters: { limit: 3 } },
      },
      undefined,
      { onprogress: (p) => progress.push(p.message ?? '') },
    )) as CallToolResult;
    expect(explored.structuredContent).toMatchObject({ outcome: 'success', reuse: { created: true } });
    expect(progress).toContain('saved version 1 of names');
    await changed;
    const calls = model.calls.length;

    const tools = await client.listTools();
    expect(tools.tools.find((t) => t.name === 'names')?.inputSchema).toMatchObject({ required: ['limit'] });
    const reused = (await client.callTool({ name: 'names', arguments: { limit: 2 } })) as CallToolResult;
    expect(reused.structuredContent).toMatchObject({
      data: { companies: [{ name: 'Company 00' }, { name: 'Company 01' }] },
    });
    expect(model.calls.length).toBe(calls);

    // Another workspace sees none of it.
    const other = await connect(keys.ws_mcp_b);
    expect((await other.client.listTools()).tools.map((t) => t.name)).not.toContain('names');
    const foreign = await other.client
      .callTool({
        name: 'get_web_task_result',
        arguments: { webTaskId: (explored.structuredContent as { webTaskId: string }).webTaskId },
      })
      .then((r) => r as CallToolResult);
    expect(foreign.isError).toBe(true);
    expect(textOf(foreign)).toContain('No web task');
  });

  it('links a large result to its signed URL, which the server serves', async () => {
    const { client } = await connect(keys.ws_mcp_a);
    await client.listTools();
    const result = (await client.callTool({ name: 'names', arguments: { limit: 30 } })) as CallToolResult;
    const link = result.content.find((c) => c.type === 'resource_link') as { uri: string } | undefined;
    expect(link?.uri).toMatch(/^http:\/\/files\.test\/files\//);
    const url = new URL(link?.uri ?? '');
    const file = await fetch(`${baseUrl}${url.pathname}${url.search}`);
    expect(file.status).toBe(200);
    expect((await file.json()).companies).toHaveLength(30);
  });

  it('rejects bad arguments with the path, unknown tools, and deleted automations', async () => {
    const { client, nextListChanged } = await connect(keys.ws_mcp_a);
    await client.listTools();
    const bad = (await client.callTool({ name: 'names', arguments: { limit: 'all' } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('/limit: must be number');
    const unknown = await client.callTool({ name: 'nope', arguments: {} }).catch((error) => error);
    expect(unknown).toBeInstanceOf(McpError);
    expect(unknown.code).toBe(ErrorCode.InvalidParams);

    await engine.bundles.import({
      workspaceId: 'ws_mcp_a',
      reuseKey: 'gone:soon',
      source: SOURCE,
      outputSchema: SCHEMA,
      task: 'x',
    });
    await client.listTools();
    const name = (await client.listTools()).tools.find(
      (t) => t._meta?.['webtasks/reuseKey'] === 'gone:soon',
    )?.name;
    expect(name).toMatch(/^gone_soon_[0-9a-f]{6}$/);
    await engine.bundles.delete({ workspaceId: 'ws_mcp_a', reuseKey: 'gone:soon' });
    const changed = nextListChanged();
    const gone = (await client.callTool({ name: name ?? '', arguments: {} })) as CallToolResult;
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toContain('"gone:soon"');
    await changed;
  });

  it('cancels the task when the client cancels the call', async () => {
    const { client } = await connect(keys.ws_mcp_a);
    hang = true;
    const controller = new AbortController();
    let webTaskId: string | undefined;
    const call = client.callTool(
      { name: 'run_web_task', arguments: { task: 'slow', startUrl: LIST_URL, reuseKey: 'slow' } },
      undefined,
      {
        signal: controller.signal,
        onprogress: (p) => {
          webTaskId ??= /accepted as (\S+)/.exec(p.message ?? '')?.[1];
          if (p.message === 'exploring the site with the model') controller.abort('stop');
        },
      },
    );
    await expect(call).rejects.toThrow();
    hang = false;
    const result = await engine.wait({
      workspaceId: 'ws_mcp_a',
      webTaskId: webTaskId ?? '',
      timeoutMs: 5000,
    });
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'canceled' } });
    expect(await engine.bundles.get({ workspaceId: 'ws_mcp_a', reuseKey: 'slow' })).toBeUndefined();
  });

  it('notices automations saved by other processes and tells every session of the workspace', async () => {
    const first = await connect(keys.ws_mcp_a);
    const second = await connect(keys.ws_mcp_a);
    await Promise.all([first.client.listTools(), second.client.listTools()]);
    const announced = Promise.all([first.nextListChanged(), second.nextListChanged()]);
    // An import emits no task event: only the workspace's poll can see it.
    await engine.bundles.import({
      workspaceId: 'ws_mcp_a',
      reuseKey: 'imported-elsewhere',
      source: SOURCE,
      outputSchema: SCHEMA,
      task: 'Imported by another process',
    });
    await announced;
    const tools = await second.client.listTools();
    expect(tools.tools.find((t) => t.name === 'imported-elsewhere')?.description).toContain(
      'Imported by another process',
    );
  });

  it('keeps a session to the workspace that opened it', async () => {
    const { transport } = await connect(keys.ws_mcp_a);
    const response = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${keys.ws_mcp_b}`,
        'mcp-session-id': transport.sessionId ?? '',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
    });
    expect(response.status).toBe(404);
  });
});
