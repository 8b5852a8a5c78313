import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FixtureSites, fixtureSimpleTableCompanies, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli, runInProcess } from './__fixtures__/run-cli.js';
import { type ServeProcess, startServe } from './__fixtures__/serve.js';
import { TABLE_BUNDLE_SCHEMA, TABLE_BUNDLE_SOURCE } from './__fixtures__/table-bundle.js';

let sites: FixtureSites;
let server: ServeProcess | undefined;
let baseUrl = '';
const dataDir = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-serve-'));
const API_KEY = 'wt-test-key-0123456789';

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
  server = await startServe({
    WEBTASKS_API_KEYS: `acme:${API_KEY}`,
    WEBTASKS_DATA_DIR: dataDir,
    WEBTASKS_EGRESS_ALLOW_HOSTS: new URL(sites.baseUrl).host,
    WEBTASKS_LOG_LEVEL: 'warn',
  });
  baseUrl = server.baseUrl;
}, 120_000);

afterAll(async () => {
  await server?.stop();
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
