import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { WebTasksEngine } from '@webtasks/core';
import { createFakeBrowserProvider, createFakeCompiler, createFakeSandbox } from '@webtasks/test-suite';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble } from './assemble.js';
import { loadConfig } from './config.js';
import { type RunningServer, startServer } from './serve.js';

// A server with no model configured: saved code runs, a task that needs the agent is
// rejected at once naming the setting, and every task's lifecycle is logged at info.

const LIST_URL = 'https://fake.test/list';
const SOURCE = [
  'export default async function run(ctx) {',
  `  await ctx.page.goto(${JSON.stringify(LIST_URL)});`,
  "  return (await ctx.page.locator('.name').allTextContents()).map((name) => ({ name }));",
  '}',
].join('\n');

const dataDir = mkdtempSync(path.join(tmpdir(), 'webtasks-reuse-only-'));
const lines: Array<Record<string, unknown>> = [];
let engine: WebTasksEngine;
let server: RunningServer;

beforeAll(async () => {
  const config = loadConfig({
    WEBTASKS_API_KEYS: 'acme:reuse-key',
    WEBTASKS_DATA_DIR: dataDir,
    WEBTASKS_PORT: '0',
    WEBTASKS_HOST: '127.0.0.1',
  });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  server = await startServer(config, {
    log: pino({ level: 'info' }, sink),
    assembleEngine: async (cfg, logger) => {
      const assembly = await assemble(cfg, logger, {
        browser: createFakeBrowserProvider({
          site: { pages: { [LIST_URL]: { title: 'Companies', elements: { '.name': ['Acme', 'Globex'] } } } },
        }),
        sandbox: createFakeSandbox(),
        compiler: createFakeCompiler(),
      });
      engine = assembly.engine;
      return assembly;
    },
  });
});

afterAll(async () => {
  await server?.shutdown('test');
  rmSync(dataDir, { recursive: true, force: true });
});

async function runTask(body: Record<string, unknown>) {
  const headers = { 'x-api-key': 'reuse-key', 'content-type': 'application/json' };
  const started = await fetch(`${server.url}/acme/web-tasks/start`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  expect(started.status).toBe(202);
  const { webTaskId } = (await started.json()) as { webTaskId: string };
  const result = await fetch(`${server.url}/acme/web-tasks/${webTaskId}/result?waitSeconds=20`, { headers });
  return (await result.json()) as Record<string, unknown>;
}

describe('a server with no model', () => {
  it('starts, says where the API and the docs are, and redirects / to /docs', async () => {
    const listening = lines.find((line) => String(line.msg).startsWith('webtasks server listening'));
    expect(listening?.msg).toBe(
      `webtasks server listening: API ${server.url}/{workspaceId}/web-tasks, docs ${server.url}/docs, model none (saved code only: tasks that need the agent are rejected)`,
    );
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/docs');
  });

  it('runs saved code', async () => {
    await engine.bundles.import({
      workspaceId: 'acme',
      reuseKey: 'names',
      source: SOURCE,
      outputSchema: { type: 'array' },
    });
    const result = await runTask({ task: 'list the names', reuseKey: 'names' });
    expect(result).toMatchObject({
      outcome: 'success',
      result: { type: 'inline', data: [{ name: 'Acme' }, { name: 'Globex' }] },
      reuse: { used: true, created: false, updated: false },
    });
  });

  it('rejects a task that needs the agent at once, naming the environment variable', async () => {
    const started = Date.now();
    const result = await runTask({ task: 'list the names', startUrl: LIST_URL, reuseKey: 'new-key' });
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'rejected' } });
    const message = (result.error as { message: string }).message;
    expect(message).toContain('no language model is configured: set ANTHROPIC_API_KEY on the workers');
    expect(message).not.toContain('createWebTasks');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('logs each task at info: accepted, started, completed with outcome, error code, cost, duration, reuse', async () => {
    const completed = lines.filter((line) => line.msg === 'task completed');
    expect(completed).toHaveLength(2);
    expect(completed[0]).toMatchObject({
      level: 30,
      reuseKey: 'names',
      outcome: 'success',
      aiUsd: 0,
      reuse: { used: true, created: false, updated: false },
    });
    expect(completed[0]?.durationMs).toEqual(expect.any(Number));
    expect(completed[1]).toMatchObject({ reuseKey: 'new-key', outcome: 'failed', errorCode: 'rejected' });
    expect(lines.filter((line) => line.msg === 'task accepted')).toHaveLength(2);
    expect(lines.filter((line) => line.msg === 'task started')).toHaveLength(2);
  });
});
