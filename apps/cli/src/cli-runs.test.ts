import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWebTasks } from '@webtasks/core';
import {
  createMemoryBlobStore,
  createMemoryBundleStore,
  createMemoryLockManager,
  createMemoryTaskQueue,
  createMemoryTaskStore,
} from '@webtasks/memory';
import { createApiKeyAuth, createServer, hashApiKey } from '@webtasks/server';
import { createFsTaskStore } from '@webtasks/store-fs';
import {
  createFakeBrowserProvider,
  createFakeCompiler,
  createFakeSandbox,
  createScriptedLanguageModel,
  type FixtureSites,
  sampleTaskRecord,
  startFixtureSites,
  toolCall,
} from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli, runInProcess } from './__fixtures__/run-cli.js';
import { TABLE_BUNDLE_SCHEMA, TABLE_BUNDLE_SOURCE } from './__fixtures__/table-bundle.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-runs-'));
const files = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-runs-files-'));
let sites: FixtureSites;

beforeAll(async () => {
  sites = await startFixtureSites();
  writeFileSync(path.join(files, 'bundle.ts'), TABLE_BUNDLE_SOURCE);
  writeFileSync(path.join(files, 'schema.json'), JSON.stringify(TABLE_BUNDLE_SCHEMA));
});

afterAll(async () => {
  await sites?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

describe('webtasks runs on the local data dir', () => {
  it('lists, shows, prints logs, saves the Playwright trace and refuses to cancel a completed run', async () => {
    const local = ['--data-dir', dataDir];
    expect(
      // Not verified here: the run below is the first run of the bundle.
      (
        await runInProcess(
          ['bundles', 'import', 'table', 'bundle.ts', '--schema', 'schema.json', '--no-verify', ...local],
          { cwd: files },
        )
      ).code,
    ).toBe(0);
    const url = `${sites.baseUrl}/tables/simple`;
    const ran = await runBuiltCli([
      'run',
      'Read the table',
      '--reuse-key',
      'table',
      '--param',
      `url=${url}`,
      '--allow-host',
      new URL(sites.baseUrl).host,
      '--trace',
      '--json',
      ...local,
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    const { webTaskId } = JSON.parse(ran.stdout) as { webTaskId: string };

    const listed = await runInProcess(['runs', 'list', '--json', ...local]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).tasks).toEqual([
      expect.objectContaining({ webTaskId, status: 'completed', outcome: 'success', reuseKey: 'table' }),
    ]);
    const table = await runInProcess(['runs', 'list', '--status', 'completed', ...local]);
    expect(table.stdout).toContain(webTaskId);

    const shown = await runInProcess(['runs', 'show', webTaskId, ...local]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('running saved v1');
    expect(shown.stdout).toMatch(/artifact: trace/);

    const logs = await runInProcess(['runs', 'logs', webTaskId, ...local]);
    expect(logs.stdout).toMatch(/\[info\] read \d+ rows/);

    const out = path.join(files, 'trace.zip');
    const traced = await runInProcess(['runs', 'trace', webTaskId, '--out', out, ...local]);
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stderr).toContain('npx playwright show-trace');
    const zip = readFileSync(out);
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    expect(zip.includes(Buffer.from('trace.trace'))).toBe(true);

    const completed = await runInProcess(['runs', 'cancel', webTaskId, ...local]);
    expect(completed.code).toBe(1);
    expect(completed.stderr).toContain('already completed');
    expect((await runInProcess(['runs', 'show', 'wt_missing', ...local])).code).toBe(3);
    expect((await runInProcess(['runs', 'list', '--status', 'done', ...local])).code).toBe(2);
    expect((await runInProcess(['runs', 'list', '--cursor', 'forged', ...local])).stderr).toContain(
      'cursor is not valid',
    );
  }, 180_000);

  it('cancels a pending task in the data dir', async () => {
    const task = sampleTaskRecord({ workspaceId: 'local' });
    await createFsTaskStore({ directory: dataDir }).create({ task });
    const canceled = await runInProcess(['runs', 'cancel', task.webTaskId, '--json', '--data-dir', dataDir]);
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(JSON.parse(canceled.stdout)).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      error: { code: 'canceled' },
    });
  });
});

describe('webtasks runs and bundles against a server (--base-url)', () => {
  it('reads runs and manages bundles through the HTTP API', async () => {
    const LIST_URL = 'https://fake.test/list';
    const source = [
      'export default async function run(ctx) {',
      `  await ctx.page.goto(${JSON.stringify(LIST_URL)});`,
      "  const names = await ctx.page.locator('.name').allTextContents();",
      "  ctx.log.info('found ' + names.length);",
      '  return names.map((name) => ({ name }));',
      '}',
    ].join('\n');
    const engine = createWebTasks({
      bundles: createMemoryBundleStore(),
      tasks: createMemoryTaskStore(),
      blobs: createMemoryBlobStore({ baseUrl: 'http://files.test', secret: 'cli-secret-0123456789' }),
      locks: createMemoryLockManager(),
      queue: createMemoryTaskQueue(),
      browser: createFakeBrowserProvider({
        site: { pages: { [LIST_URL]: { title: 'L', elements: { '.name': ['Acme'] } } } },
      }),
      sandbox: createFakeSandbox(),
      compiler: createFakeCompiler(),
      model: createScriptedLanguageModel(() => ({ content: [toolCall('submit', { source })] })),
    });
    const app = await createServer({
      engine,
      auth: createApiKeyAuth([{ workspaceId: 'acme', keyHash: hashApiKey('cli-key-0123') }]),
    });
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const done = await engine.run({
        workspaceId: 'acme',
        request: {
          task: 'List the names',
          startUrl: LIST_URL,
          reuseKey: 'names',
          outputSchema: { type: 'array' },
        },
      });
      const server = ['--base-url', baseUrl, '--api-key', 'cli-key-0123', '--workspace', 'acme'];
      const listed = await runInProcess(['runs', 'list', '--json', ...server]);
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout).tasks[0]).toMatchObject({
        webTaskId: done.webTaskId,
        reuseKey: 'names',
      });
      const shown = await runInProcess(['runs', 'show', done.webTaskId, ...server]);
      expect(shown.stdout).toContain('exploring 1/3');
      expect(shown.stdout).toContain('model calls: 1');
      expect((await runInProcess(['runs', 'logs', done.webTaskId, ...server])).stdout).toContain('found 1');
      expect((await runInProcess(['runs', 'trace', done.webTaskId, ...server])).code).toBe(3);
      expect((await runInProcess(['runs', 'show', 'wt_nope', ...server])).code).toBe(3);
      const cancel = await runInProcess(['runs', 'cancel', done.webTaskId, ...server]);
      expect(cancel.code).toBe(4);
      expect(cancel.stderr).toContain('409 conflict');

      const bundles = await runInProcess(['bundles', 'list', '--json', ...server]);
      expect(bundles.code, bundles.stderr).toBe(0);
      expect(JSON.parse(bundles.stdout)).toEqual([
        expect.objectContaining({ reuseKey: 'names', version: 1 }),
      ]);
      writeFileSync(path.join(files, 'v2.js'), source.replace("'found '", "'v2 found '"));
      writeFileSync(path.join(files, 'array.json'), '{"type":"array"}');
      const imported = await runInProcess(
        ['bundles', 'import', 'names', 'v2.js', '--schema', 'array.json', ...server],
        { cwd: files },
      );
      expect(imported.code, imported.stderr).toBe(0);
      expect((await runInProcess(['bundles', 'diff', 'names', '1', '2', ...server])).stdout).toContain(
        "+  ctx.log.info('v2 found '",
      );
      expect(
        (await runInProcess(['bundles', 'show', 'names', '--version', '1', ...server])).stdout,
      ).toContain('## source');
      expect((await runInProcess(['bundles', 'export', 'names', ...server])).stdout).toContain(
        'playwright-core',
      );
      expect((await runInProcess(['bundles', 'rollback', 'names', '1', ...server])).stdout).toContain(
        'v3 is now a copy of v1',
      );
      expect((await runInProcess(['bundles', 'history', 'names', '--json', ...server])).stdout).toContain(
        '"version": 3',
      );
      // Safe promotion through the server: policy, pin, unpin; review decisions need a proposed version.
      const policy = await runInProcess(['bundles', 'policy', 'names', 'review', '--json', ...server]);
      expect(policy.code, policy.stderr).toBe(0);
      expect(JSON.parse(policy.stdout)).toEqual({ reuseKey: 'names', promotion: 'review' });
      const pinned = await runInProcess(['bundles', 'pin', 'names', '1', '--json', ...server]);
      expect(JSON.parse(pinned.stdout)).toEqual({ reuseKey: 'names', promotion: 'review', pinnedVersion: 1 });
      expect((await runInProcess(['bundles', 'pin', 'names', '9', ...server])).code).toBe(3);
      const unpinned = await runInProcess(['bundles', 'unpin', 'names', '--json', ...server]);
      expect(JSON.parse(unpinned.stdout)).toEqual({ reuseKey: 'names', promotion: 'review' });
      const approve = await runInProcess(['bundles', 'approve', 'names', '3', ...server]);
      expect(approve.code).toBe(1);
      expect(approve.stderr).toContain('not waiting for review');
      expect((await runInProcess(['bundles', 'delete', 'names', '--yes', ...server])).code).toBe(0);
      expect((await runInProcess(['bundles', 'show', 'names', ...server])).code).toBe(3);
    } finally {
      await app.close();
      await engine.close();
    }
  });
});
