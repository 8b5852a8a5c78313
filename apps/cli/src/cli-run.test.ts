import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type FakeAnthropicServer,
  type FixtureSites,
  fakeReply,
  fixtureSimpleTableCompanies,
  startFakeAnthropicServer,
  startFixtureSites,
} from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from './__fixtures__/run-cli.js';
import { TABLE_BUNDLE_SCHEMA, TABLE_BUNDLE_SOURCE } from './__fixtures__/table-bundle.js';

let sites: FixtureSites;
let anthropic: FakeAnthropicServer;
const dataDir = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-run-'));

beforeAll(async () => {
  [sites, anthropic] = await Promise.all([startFixtureSites(), startFakeAnthropicServer()]);
});
afterAll(async () => {
  await Promise.all([sites?.close(), anthropic?.close()]);
  rmSync(dataDir, { recursive: true, force: true });
});

const expectedCompanies = () => fixtureSimpleTableCompanies.map((c) => ({ name: c.name, batch: c.batch }));

describe('webtasks run (embedded engine, real Chromium and isolates)', () => {
  it('explores with the model and saves, then reuses the saved code with 0 model calls', async () => {
    // The scripted model submits a program on its first turn.
    anthropic.script([
      fakeReply.toolCall('submit', { source: TABLE_BUNDLE_SOURCE, outputSchema: TABLE_BUNDLE_SCHEMA }),
    ]);
    const host = new URL(sites.baseUrl).host;
    const args = [
      'run',
      'Read the name and batch of every company in the table',
      '--start-url',
      `${sites.baseUrl}/tables/simple`,
      '--param',
      `url=${sites.baseUrl}/tables/simple`,
      '--reuse-key',
      'table-companies',
      '--allow-host',
      host,
      '--data-dir',
      dataDir,
    ];
    const env = { ANTHROPIC_API_KEY: anthropic.apiKey, ANTHROPIC_BASE_URL: anthropic.baseUrl };

    const first = await runBuiltCli([...args, '--json'], { env });
    expect(first.stderr).toContain('exploring the site with the model');
    expect(first.stderr).toContain('step 1: submit');
    expect(first.stderr).toMatch(/explored the site and saved v1 — 1 model call, \$0\.\d{4}/);
    expect(first.code).toBe(0);
    const explored = JSON.parse(first.stdout);
    expect(explored.reuse).toEqual({ key: 'table-companies', used: false, created: true, updated: true });
    expect(explored.cost.aiUsd).toBeGreaterThan(0);
    expect(explored.result.data.companies).toEqual(expectedCompanies());
    const modelRequests = anthropic.requestCount;
    expect(modelRequests).toBe(1);

    const second = await runBuiltCli(args, { env });
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('running saved code v1');
    expect(second.stderr).toContain('log info: read 15 rows');
    expect(second.stderr).toMatch(/reused saved code v1 — 0 model calls, \$0\.0000/);
    expect(JSON.parse(second.stdout)).toEqual({ companies: expectedCompanies() });
    expect(anthropic.requestCount).toBe(modelRequests);
  }, 240_000);

  it('fails with exit 1 when the browser may not reach the site (egress denies loopback)', async () => {
    const run = await runBuiltCli(
      [
        'run',
        'Read the table',
        '--reuse-key',
        'table-companies',
        '--param',
        `url=${sites.baseUrl}/tables/simple`,
        '--data-dir',
        dataDir,
      ],
      { env: {} },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('model none (saved code only)');
    expect(run.stderr).toMatch(/failed.*nothing saved — 0 model calls/);
    const host = new URL(sites.baseUrl).host;
    // The real cause first: the run's egress refusal with the CLI's flag, then why no repair.
    const errorLine = run.stderr.split('\n').find((line) => line.startsWith('error rejected: '));
    expect(errorLine).toMatch(/^error rejected: The saved code \(v1\) failed: .*egress policy refused/);
    expect(errorLine).toContain(`To allow it: --allow-host ${host}`);
    expect(errorLine).not.toContain('egress.allowHosts');
    expect(run.stderr).toContain('No repair was tried: ');
    expect(run.stderr).toContain('no language model is configured: set ANTHROPIC_API_KEY');
    expect(run.stderr).not.toContain('maxRetries');
  }, 120_000);
});
