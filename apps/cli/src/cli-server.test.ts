import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FixtureSites, fixtureSimpleTableCompanies, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, cliEnv, runBuiltCli, runInProcess } from './__fixtures__/run-cli.js';
import { TABLE_BUNDLE_SCHEMA, TABLE_BUNDLE_SOURCE } from './__fixtures__/table-bundle.js';

let sites: FixtureSites;
let server: ChildProcess | undefined;
let baseUrl = '';
let serverLog = '';
const dataDir = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-serve-'));
const API_KEY = 'wt-test-key-0123456789';

/** Start `webtasks serve --port 0` and wait for the line with its URL. */
async function startServe(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [CLI_PATH, 'serve', '--port', '0'], {
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      serverLog += chunk;
      const match = /listening on (http:\/\/\S+)\s/.exec(serverLog);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`webtasks serve exited with ${code}:\n${serverLog}`)));
  });
}

beforeAll(async () => {
  sites = await startFixtureSites();
  const files = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-serve-files-'));
  writeFileSync(path.join(files, 'bundle.ts'), TABLE_BUNDLE_SOURCE);
  writeFileSync(path.join(files, 'schema.json'), JSON.stringify(TABLE_BUNDLE_SCHEMA));
  const imported = await runInProcess(
    [
      'bundles',
      'import',
      'companies',
      'bundle.ts',
      '--schema',
      'schema.json',
      '--no-verify',
      '--workspace',
      'acme',
      '--data-dir',
      dataDir,
    ],
    { cwd: files },
  );
  rmSync(files, { recursive: true, force: true });
  expect(imported.code).toBe(0);
  baseUrl = await startServe({
    WEBTASKS_API_KEYS: `acme:${API_KEY}`,
    WEBTASKS_DATA_DIR: dataDir,
    WEBTASKS_EGRESS_ALLOW_HOSTS: new URL(sites.baseUrl).host,
    WEBTASKS_LOG_LEVEL: 'warn',
    // Workers need a model configured; this test only runs saved code, so it is never called.
    ANTHROPIC_API_KEY: 'sk-ant-unused',
  });
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    // Graceful shutdown on SIGTERM; force it if it hangs.
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server?.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  await sites?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('webtasks serve, start and result', () => {
  it('starts a task on the server and reads its result', async () => {
    const server = ['--base-url', baseUrl, '--api-key', API_KEY, '--workspace', 'acme'];
    const started = await runBuiltCli([
      'start',
      'Read the table',
      '--reuse-key',
      'companies',
      '--param',
      `url=${sites.baseUrl}/tables/simple`,
      '--json',
      ...server,
    ]);
    expect(started.code).toBe(0);
    const { webTaskId } = JSON.parse(started.stdout);
    expect(webTaskId).toMatch(/^wt_/);

    const result = await runBuiltCli(['result', webTaskId, '--wait', '90', '--json', ...server]);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({
      status: 'completed',
      outcome: 'success',
      reuse: { key: 'companies', used: true, updated: false },
    });
    expect(body.cost.aiUsd).toBe(0);
    expect(body.result.data.companies).toHaveLength(fixtureSimpleTableCompanies.length);

    const unknown = await runBuiltCli(['result', 'wt_doesnotexist', ...server]);
    expect(unknown.code).toBe(3);
    const wrongKey = await runBuiltCli([
      'result',
      webTaskId,
      '--base-url',
      baseUrl,
      '--api-key',
      'nope',
      '--workspace',
      'acme',
    ]);
    expect(wrongKey.code).toBe(4);
    expect(wrongKey.stderr).toContain('401 unauthenticated');
  }, 180_000);
});
