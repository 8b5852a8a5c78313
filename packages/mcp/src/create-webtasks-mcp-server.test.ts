import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  type CallToolResult,
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFakeEngine,
  LIST_SCHEMA,
  LIST_SOURCE,
  LIST_URL,
  NAMES,
  submitReply,
} from './__fixtures__/fake-engine.js';
import { createWebTasksMcpServer, type WebTasksMcpServer } from './create-webtasks-mcp-server.js';

const WS = 'ws_mcp';
const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

async function connect(fake: ReturnType<typeof createFakeEngine>, runTimeoutMs?: number) {
  const mcp: WebTasksMcpServer = createWebTasksMcpServer({
    engine: fake.engine,
    workspaceId: WS,
    watchIntervalMs: 0,
    ...(runTimeoutMs ? { runTimeoutMs } : {}),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.connect(serverSide);
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  let listChanged = 0;
  const waiters: Array<() => void> = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    listChanged += 1;
    for (const wake of waiters.splice(0)) wake();
  });
  await client.connect(clientSide);
  open.push(async () => {
    await client.close();
    await mcp.close();
    await fake.engine.close();
  });
  return {
    client,
    mcp,
    listChangedCount: () => listChanged,
    nextListChanged: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
}

describe('createWebTasksMcpServer (SDK client, in-memory transport, engine on fakes)', () => {
  it('explores a new key with run_web_task, announces the new tool, then runs it with 0 model calls', async () => {
    const fake = createFakeEngine();
    const { client, nextListChanged } = await connect(fake);
    const before = await client.listTools();
    expect(before.tools.map((t) => t.name)).toEqual([
      'run_web_task',
      'get_web_task_result',
      'list_automations',
    ]);

    const changed = nextListChanged();
    const progress: string[] = [];
    const explored = await client.callTool(
      {
        name: 'run_web_task',
        arguments: {
          task: 'Read the company names',
          startUrl: LIST_URL,
          reuseKey: 'companies',
          parameters: { limit: 2 },
        },
      },
      undefined,
      { onprogress: (p) => progress.push(p.message ?? '') },
    );
    expect(explored.isError).toBeUndefined();
    expect(explored.structuredContent).toMatchObject({
      status: 'completed',
      outcome: 'success',
      reuse: { key: 'companies', used: false, created: true, updated: true },
      result: { type: 'inline', data: { companies: [{ name: 'Acme' }, { name: 'Globex' }] } },
    });
    expect(progress).toContain('exploring the site with the model');
    expect(progress).toContain('saved version 1 of companies');
    await changed;
    expect(fake.model.calls).toHaveLength(1);

    const after = await client.listTools();
    const tool = after.tools.find((t) => t.name === 'companies');
    expect(tool?.description).toContain('Read the company names');
    expect(tool?.inputSchema).toMatchObject({
      type: 'object',
      properties: { limit: { type: 'number', examples: [2] } },
      required: ['limit'],
    });
    expect(tool?.outputSchema).toMatchObject({
      type: 'object',
      properties: { data: { required: ['companies'] } },
      $defs: LIST_SCHEMA.$defs,
    });
    expect(tool?._meta).toMatchObject({
      'webtasks/parameterSchemaSource': 'last-run',
      'webtasks/version': 1,
    });

    // The SDK client checks the structured content against the tool's outputSchema.
    const reused = await client.callTool({ name: 'companies', arguments: { limit: 3 } });
    expect(reused.isError).toBeUndefined();
    expect(reused.structuredContent).toMatchObject({
      data: { companies: NAMES.slice(0, 3).map((name) => ({ name })) },
    });
    expect(fake.model.calls).toHaveLength(1);

    const listed = await client.callTool({ name: 'list_automations', arguments: {} });
    expect(listed.structuredContent).toMatchObject({
      automations: [{ reuseKey: 'companies', toolName: 'companies', version: 1, startUrl: LIST_URL }],
    });
  });

  it('rejects arguments that break the input schema with the path, and unknown tools with -32602', async () => {
    const fake = createFakeEngine();
    await fake.engine.run({
      workspaceId: WS,
      request: { task: 'names', startUrl: LIST_URL, reuseKey: 'companies', parameters: { limit: 2 } },
    });
    const { client } = await connect(fake);
    await client.listTools();
    const wrongType = await client.callTool({ name: 'companies', arguments: { limit: 'three' } });
    expect(wrongType.isError).toBe(true);
    expect(JSON.stringify(wrongType.content)).toContain('/limit: must be number');
    const missing = await client.callTool({ name: 'companies', arguments: {} });
    expect(JSON.stringify(missing.content)).toContain('/limit: must have required property');
    const badRun = await client.callTool({ name: 'run_web_task', arguments: { task: 'x', model: 'gpt' } });
    expect(badRun.isError).toBe(true);
    expect(JSON.stringify(badRun.content)).toContain('/model: must be equal to one of the allowed values');
    const extra = await client.callTool({ name: 'run_web_task', arguments: { task: 'x', reuse: 'k' } });
    expect(JSON.stringify(extra.content)).toContain('/reuse: is not an argument of this tool');
    const badUrl = await client.callTool({
      name: 'run_web_task',
      arguments: { task: 'x', startUrl: 'ftp://x' },
    });
    expect(JSON.stringify(badUrl.content)).toContain('startUrl must be an absolute http:// or https:// URL');
    expect(fake.model.calls).toHaveLength(1);

    const unknown = await client.callTool({ name: 'no_such_tool', arguments: {} }).catch((error) => error);
    expect(unknown).toBeInstanceOf(McpError);
    expect(unknown.code).toBe(ErrorCode.InvalidParams);
    expect(unknown.message).toContain('Unknown tool "no_such_tool"');
  });

  it("uses the bundle's own parameter schema as the tool's input schema when it has one", async () => {
    const fake = createFakeEngine();
    const paramsSchema = {
      type: 'object',
      properties: { limit: { type: 'integer', minimum: 1, maximum: 4 } },
      required: ['limit'],
      additionalProperties: false,
    };
    // Saved through the store, as a version with a parameter schema is.
    await fake.bundles.save({
      bundle: {
        workspaceId: WS,
        reuseKey: 'typed',
        source: LIST_SOURCE,
        outputSchema: LIST_SCHEMA,
        origin: 'import',
        task: 'Read the company names',
        paramsSchema,
      } as Parameters<typeof fake.bundles.save>[0]['bundle'],
      expectedVersion: 0,
    });
    const { client } = await connect(fake);
    const tool = (await client.listTools()).tools.find((t) => t.name === 'typed');
    expect(tool?.inputSchema).toEqual(paramsSchema);
    expect(tool?._meta?.['webtasks/parameterSchemaSource']).toBe('bundle');
    const tooMany = (await client.callTool({ name: 'typed', arguments: { limit: 9 } })) as CallToolResult;
    expect(tooMany.content[0]).toMatchObject({ text: expect.stringContaining('/limit: must be <= 4') });
  });

  it('answers a call of an automation deleted after the list with a tool error and a list_changed', async () => {
    const fake = createFakeEngine();
    await fake.engine.bundles.import({
      workspaceId: WS,
      reuseKey: 'yc.companies',
      source: LIST_SOURCE,
      outputSchema: LIST_SCHEMA,
      task: 'Read the companies',
      startUrl: LIST_URL,
    });
    const { client, nextListChanged } = await connect(fake);
    const listed = await client.listTools();
    const tool = listed.tools.find((t) => t._meta?.['webtasks/reuseKey'] === 'yc.companies');
    expect(tool?.name).toMatch(/^yc_companies_[0-9a-f]{6}$/);
    expect(tool?.inputSchema).toEqual({ type: 'object', additionalProperties: true });

    await fake.engine.bundles.delete({ workspaceId: WS, reuseKey: 'yc.companies' });
    const changed = nextListChanged();
    const result = (await client.callTool({ name: tool?.name ?? '', arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    expect(text).toContain('The saved automation "yc.companies"');
    expect(text).toContain('was deleted after the tool list was read');
    await changed;
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain(tool?.name);
    expect(fake.model.calls).toHaveLength(0);
  });

  it('cancels the task when the client cancels the call: failed/canceled, nothing saved', async () => {
    const fake = createFakeEngine({
      script: (options) =>
        new Promise((_resolve, reject) => {
          options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
        }),
    });
    const { client } = await connect(fake);
    let webTaskId: string | undefined;
    fake.engine.subscribe((event) => {
      webTaskId ??= event.webTaskId;
    });
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'run_web_task', arguments: { task: 'names', startUrl: LIST_URL, reuseKey: 'slow' } },
      undefined,
      {
        signal: controller.signal,
        onprogress: (p) => {
          if (p.message === 'exploring the site with the model') controller.abort('user pressed stop');
        },
      },
    );
    await expect(call).rejects.toThrow();
    const result = await fake.engine.wait({ workspaceId: WS, webTaskId: webTaskId ?? '', timeoutMs: 5000 });
    expect(result).toMatchObject({ status: 'completed', outcome: 'failed', error: { code: 'canceled' } });
    expect(await fake.bundles.latest({ workspaceId: WS, reuseKey: 'slow' })).toBeUndefined();
    const read = await client.callTool({ name: 'get_web_task_result', arguments: { webTaskId } });
    expect(read.isError).toBe(true);
    expect(read.structuredContent).toMatchObject({ error: { code: 'canceled' } });
  });

  it('answers with the webTaskId when the task outlasts runTimeoutMs, and get_web_task_result reads it later', async () => {
    let release: (() => void) | undefined;
    const fake = createFakeEngine({
      script: () =>
        new Promise((resolve) => {
          release = () => resolve(submitReply());
        }),
    });
    const { client } = await connect(fake, 300);
    const early = (await client.callTool({
      name: 'run_web_task',
      arguments: { task: 'names', startUrl: LIST_URL, reuseKey: 'later', parameters: { limit: 1 } },
    })) as CallToolResult;
    expect(early.isError).toBeUndefined();
    expect(early.structuredContent).toMatchObject({ status: 'started' });
    const webTaskId = (early.structuredContent as { webTaskId: string }).webTaskId;
    expect(early.content[0]).toMatchObject({ text: expect.stringContaining('call get_web_task_result') });
    release?.();
    const done = (await client.callTool({
      name: 'get_web_task_result',
      arguments: { webTaskId, waitSeconds: 10 },
    })) as CallToolResult;
    expect(done.structuredContent).toMatchObject({
      outcome: 'success',
      result: { data: { companies: [{ name: 'Acme' }] } },
    });
  });

  it('announces a repaired automation (new version) with list_changed', async () => {
    const fake = createFakeEngine();
    const broken = LIST_SOURCE.replace('{', "{\n  throw new Error('the list moved');");
    await fake.engine.bundles.import({
      workspaceId: WS,
      reuseKey: 'repair-me',
      source: broken,
      outputSchema: LIST_SCHEMA,
      // Broken on purpose: a verification run would refuse the import.
      verify: false,
      task: 'Read the company names',
      startUrl: LIST_URL,
    });
    const { client, nextListChanged } = await connect(fake);
    const before = await client.listTools();
    expect(before.tools.find((t) => t.name === 'repair-me')?._meta?.['webtasks/version']).toBe(1);
    const changed = nextListChanged();
    const result = (await client.callTool({ name: 'repair-me', arguments: { limit: 1 } })) as CallToolResult;
    expect(result.structuredContent).toMatchObject({ data: { companies: [{ name: 'Acme' }] } });
    await changed;
    expect(fake.model.calls).toHaveLength(1);
    const after = await client.listTools();
    expect(after.tools.find((t) => t.name === 'repair-me')?._meta?.['webtasks/version']).toBe(2);
  });

  it('links a result delivered as a file as a resource link to its signed URL', async () => {
    const fake = createFakeEngine({ limits: { inlineResultBytes: 40 }, script: () => submitReply() });
    const { client } = await connect(fake);
    await client.callTool({
      name: 'run_web_task',
      arguments: { task: 'names', startUrl: LIST_URL, reuseKey: 'big', parameters: { limit: 4 } },
    });
    const result = (await client.callTool({ name: 'big', arguments: { limit: 4 } })) as CallToolResult;
    const link = result.content.find((c) => c.type === 'resource_link');
    expect(link).toMatchObject({ type: 'resource_link', mimeType: 'application/json' });
    expect(String((link as { uri: string }).uri)).toMatch(/^http:\/\/files\.test\/.*signature=/);
    expect(result.structuredContent).toMatchObject({ file: { contentType: 'application/json' } });
    expect(result.structuredContent).not.toHaveProperty('data');
  });
});
