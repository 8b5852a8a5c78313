import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  type CallToolResult,
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import {
  type FakeAnthropicServer,
  type FixtureSites,
  fakeReply,
  fixtureSimpleTableCompanies,
  startFakeAnthropicServer,
  startFixtureSites,
} from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, cliEnv, REPO_ROOT, runBuiltCli } from './__fixtures__/run-cli.js';
import { TABLE_BUNDLE_SCHEMA, TABLE_BUNDLE_SOURCE } from './__fixtures__/table-bundle.js';

let sites: FixtureSites;
let anthropic: FakeAnthropicServer;
let client: Client;
let stderr = '';
const dataDir = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-mcp-'));
const listChanges: Array<() => void> = [];

const nextListChanged = () => new Promise<void>((resolve) => listChanges.push(resolve));
const textOf = (result: CallToolResult) =>
  result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

beforeAll(async () => {
  [sites, anthropic] = await Promise.all([startFixtureSites(), startFakeAnthropicServer()]);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, 'mcp', '--data-dir', dataDir, '--allow-host', new URL(sites.baseUrl).host],
    env: cliEnv({
      ANTHROPIC_API_KEY: anthropic.apiKey,
      ANTHROPIC_BASE_URL: anthropic.baseUrl,
    }) as Record<string, string>,
    cwd: REPO_ROOT,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  client = new Client({ name: 'cli-mcp-test', version: '1.0.0' });
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    for (const wake of listChanges.splice(0)) wake();
  });
  await client.connect(transport);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await Promise.all([sites?.close(), anthropic?.close()]);
  rmSync(dataDir, { recursive: true, force: true });
});

const expectedCompanies = () => fixtureSimpleTableCompanies.map((c) => ({ name: c.name, batch: c.batch }));

describe('webtasks mcp (stdio, the built CLI, real Chromium and isolates, fake Anthropic API)', () => {
  it('explores a new key, announces its tool, and runs it with 0 model calls', async () => {
    const first = await client.listTools();
    expect(first.tools.map((t) => t.name)).toEqual([
      'run_web_task',
      'get_web_task_result',
      'list_automations',
    ]);
    expect(stderr).toContain('serving MCP on stdio');

    anthropic.script([
      fakeReply.toolCall('submit', { source: TABLE_BUNDLE_SOURCE, outputSchema: TABLE_BUNDLE_SCHEMA }),
    ]);
    const changed = nextListChanged();
    const progress: string[] = [];
    const url = `${sites.baseUrl}/tables/simple`;
    const explored = (await client.callTool(
      {
        name: 'run_web_task',
        arguments: {
          task: 'Read the name and batch of every company in the table',
          startUrl: url,
          parameters: { url },
          reuseKey: 'table-companies',
        },
      },
      undefined,
      { onprogress: (p) => progress.push(p.message ?? ''), timeout: 180_000 },
    )) as CallToolResult;
    expect(explored.structuredContent).toMatchObject({
      outcome: 'success',
      reuse: { key: 'table-companies', created: true },
      result: { type: 'inline', data: { companies: expectedCompanies() } },
    });
    expect(progress).toContain('exploring the site with the model');
    expect(progress).toContain('saved version 1 of table-companies');
    await changed;
    const requests = anthropic.requestCount;
    expect(requests).toBe(1);

    const tools = await client.listTools();
    const tool = tools.tools.find((t) => t.name === 'table-companies');
    expect(tool?.description).toContain('Read the name and batch of every company in the table');
    expect(tool?.inputSchema).toMatchObject({ properties: { url: { type: 'string' } }, required: ['url'] });

    const reused = (await client.callTool({ name: 'table-companies', arguments: { url } }, undefined, {
      timeout: 120_000,
    })) as CallToolResult;
    expect(reused.isError).toBeUndefined();
    expect(reused.structuredContent).toMatchObject({ data: { companies: expectedCompanies() } });
    expect(anthropic.requestCount).toBe(requests);
  }, 300_000);

  it('rejects bad arguments with the path, and unknown tools', async () => {
    const bad = (await client.callTool({ name: 'table-companies', arguments: { url: 5 } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('/url: must be string');
    const unknown = await client.callTool({ name: 'nope', arguments: {} }).catch((error) => error);
    expect(unknown).toBeInstanceOf(McpError);
    expect(unknown.code).toBe(ErrorCode.InvalidParams);
  });

  it('cancels a running exploration when the client cancels: nothing saved', async () => {
    // The model takes 20 s to answer: the call is cancelled while it waits.
    anthropic.script([fakeReply.text('too late', { delayMs: 20_000 })]);
    const controller = new AbortController();
    let webTaskId: string | undefined;
    const call = client.callTool(
      {
        name: 'run_web_task',
        arguments: {
          task: 'Read the table',
          startUrl: `${sites.baseUrl}/tables/simple`,
          reuseKey: 'slow-key',
        },
      },
      undefined,
      {
        signal: controller.signal,
        onprogress: (p) => {
          webTaskId ??= /accepted as (\S+)/.exec(p.message ?? '')?.[1];
          if (p.message === 'exploring the site with the model')
            setTimeout(() => controller.abort('stop'), 200);
        },
      },
    );
    await expect(call).rejects.toThrow();
    expect(webTaskId).toMatch(/^wt_/);
    const read = (await client.callTool({
      name: 'get_web_task_result',
      arguments: { webTaskId, waitSeconds: 15 },
    })) as CallToolResult;
    expect(read.structuredContent).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      error: { code: 'canceled' },
    });
    const listed = (await client.callTool({ name: 'list_automations', arguments: {} })) as CallToolResult;
    expect(listed.structuredContent).toEqual({
      automations: [expect.objectContaining({ reuseKey: 'table-companies' })],
    });
  }, 120_000);

  it('answers a call of an automation deleted by another process after the list', async () => {
    await client.listTools();
    const deleted = await runBuiltCli([
      'bundles',
      'delete',
      'table-companies',
      '--yes',
      '--data-dir',
      dataDir,
    ]);
    expect(deleted.code).toBe(0);
    const result = (await client.callTool({
      name: 'table-companies',
      arguments: { url: `${sites.baseUrl}/tables/simple` },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(
      'The saved automation "table-companies" (tool table-companies) was deleted',
    );
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('table-companies');
  }, 60_000);
});
