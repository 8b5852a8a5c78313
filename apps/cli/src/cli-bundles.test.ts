import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FixtureSites, fixtureSimpleTableCompanies, startFixtureSites } from '@webtasks/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runBuiltCli, runInProcess, runNode } from './__fixtures__/run-cli.js';
import { TABLE_BUNDLE_SCHEMA, TABLE_BUNDLE_SOURCE } from './__fixtures__/table-bundle.js';

let sites: FixtureSites;
const dataDir = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-bundles-'));
const files = mkdtempSync(path.join(tmpdir(), 'webtasks-cli-bundle-files-'));
// Exported scripts import playwright-core: write them where Node resolves it (this package's node_modules).
const scriptDir = path.join(REPO_ROOT, 'apps/cli/node_modules/.cache', path.basename(dataDir));

beforeAll(async () => {
  sites = await startFixtureSites();
  mkdirSync(scriptDir, { recursive: true });
  writeFileSync(path.join(files, 'v1.ts'), TABLE_BUNDLE_SOURCE);
  writeFileSync(
    path.join(files, 'v2.ts'),
    TABLE_BUNDLE_SOURCE.replace("'read ' + rows.length + ' rows'", "'found ' + rows.length + ' companies'"),
  );
  writeFileSync(
    path.join(files, 'broken.ts'),
    TABLE_BUNDLE_SOURCE.replace('ctx.page.goto(', 'ctx.page.open('),
  );
  writeFileSync(path.join(files, 'schema.json'), JSON.stringify(TABLE_BUNDLE_SCHEMA));
  // The same rows, without the `minItems` that would reject an empty table on its own.
  writeFileSync(
    path.join(files, 'list-schema.json'),
    JSON.stringify({ ...TABLE_BUNDLE_SCHEMA, properties: { companies: { type: 'array' } } }),
  );
  writeFileSync(
    path.join(files, 'params.json'),
    JSON.stringify({
      type: 'object',
      properties: { url: { type: 'string', format: 'uri' } },
      required: ['url'],
    }),
  );
});
afterAll(async () => {
  await sites?.close();
  for (const dir of [dataDir, files, scriptDir]) rmSync(dir, { recursive: true, force: true });
});

const local = ['--data-dir', dataDir];
const cli = (args: string[]) => runInProcess([...args, ...local], { cwd: files });

describe('webtasks bundles', () => {
  it('imports checked code, refuses code that does not compile, and keeps history, diff and rollback', async () => {
    const broken = await cli(['bundles', 'import', 'companies', 'broken.ts', '--schema', 'schema.json']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('does not compile');
    expect(broken.stderr).toMatch(/broken\.ts:4:\d+ - error TS2339: .*open/);
    expect((await cli(['bundles', 'list', '--json'])).stdout.trim()).toBe('[]');

    // The import runs the bundle once: without the parameter it needs, it is refused.
    const unverified = await cli(['bundles', 'import', 'companies', 'v1.ts', '--schema', 'schema.json']);
    expect(unverified.code).toBe(1);
    expect(unverified.stderr).toContain('its verification run with parameters {} failed');
    expect(unverified.stderr).toContain('--no-verify');
    // A page with no table rows: an empty list proves nothing, so the import is refused.
    const empty = await cli([
      'bundles',
      'import',
      'companies',
      'v1.ts',
      '--schema',
      'list-schema.json',
      '--param',
      `url=${sites.baseUrl}/tables/empty`,
      '--allow-host',
      new URL(sites.baseUrl).host,
    ]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('returned an empty list');
    expect((await cli(['bundles', 'list', '--json'])).stdout.trim()).toBe('[]');
    const v1 = await cli([
      'bundles',
      'import',
      'companies',
      'v1.ts',
      '--schema',
      'schema.json',
      '--task',
      'Read the table',
      '--param',
      `url=${sites.baseUrl}/tables/simple`,
      '--allow-host',
      new URL(sites.baseUrl).host,
    ]);
    expect(v1.stdout).toContain('imported v1.ts as companies v1 (verified: 15 rows)');
    expect(v1.code).toBe(0);
    const baseline = JSON.parse((await cli(['bundles', 'show', 'companies', '--json'])).stdout);
    expect(baseline.stats).toMatchObject({ runs: 1, rowCounts: [15] });
    const notObject = await cli([
      'bundles',
      'import',
      'companies',
      'v2.ts',
      '--schema',
      'schema.json',
      '--params-schema',
      '{"type":"string"}',
      '--no-verify',
    ]);
    expect(notObject.code).toBe(1);
    expect(notObject.stderr).toContain('The parameter schema (--params-schema) must describe an object');
    const v2 = await cli([
      'bundles',
      'import',
      'companies',
      'v2.ts',
      '--schema',
      'schema.json',
      '--params-schema',
      'params.json',
      '--no-verify',
    ]);
    expect(v2.code).toBe(0);
    expect(v2.stdout).toContain('(not verified: skipped (--no-verify): no baseline statistics)');
    const shownV2 = await cli(['bundles', 'show', 'companies', '--version', '2']);
    expect(shownV2.stdout).toContain('## parameter schema');
    expect(shownV2.stdout).toContain('"format": "uri"');

    const list = JSON.parse((await cli(['bundles', 'list', '--json'])).stdout);
    expect(list).toMatchObject([{ reuseKey: 'companies', version: 2, origin: 'import' }]);

    const diff = await cli(['bundles', 'diff', 'companies', '1', '2']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("-  ctx.log.info('read ' + rows.length + ' rows');");
    expect(diff.stdout).toContain("+  ctx.log.info('found ' + rows.length + ' companies');");

    const rollback = await cli(['bundles', 'rollback', 'companies', 'v1']);
    expect(rollback.stdout).toContain('v3 is now a copy of v1');
    const history = JSON.parse((await cli(['bundles', 'history', 'companies', '--json'])).stdout);
    expect(history.map((h: { version: number; origin: string }) => [h.version, h.origin])).toEqual([
      [3, 'rollback'],
      [2, 'import'],
      [1, 'import'],
    ]);

    const show = await cli(['bundles', 'show', 'companies']);
    expect(show.stdout).toContain('# companies v3 (rollback from v1');
    expect(show.stdout).toContain('# task: Read the table');
    expect(show.stdout).toContain("'read ' + rows.length + ' rows'");
    expect(show.stdout).toContain('"minItems": 1');
    expect(show.stdout).toContain('(none: parameters are not checked before runs)');
    expect((await cli(['bundles', 'show', 'companies', '--version', '9'])).code).toBe(3);
  }, 240_000);

  it('exports a standalone Playwright script that gives the same output as the engine', async () => {
    const url = `${sites.baseUrl}/tables/simple`;
    const script = path.join(scriptDir, 'companies.mjs');
    const exported = await cli(['bundles', 'export', 'companies', '--out', script]);
    expect(exported.code).toBe(0);
    const text = readFileSync(script, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node')).toBe(true);
    expect(text).toContain('exported by webtasks from bundle "companies" v3');

    const [standalone, engine] = await Promise.all([
      runNode([script, '--params', JSON.stringify({ url })]),
      // No API key: the saved code runs without a model.
      runBuiltCli([
        'run',
        'Read the table',
        '--reuse-key',
        'companies',
        '--param',
        `url=${url}`,
        '--allow-host',
        new URL(url).host,
        ...local,
      ]),
    ]);
    expect(standalone.stderr).toContain('[info] read 15 rows');
    expect(standalone.code).toBe(0);
    expect(engine.stderr).toContain('reused saved code v3 — 0 model calls');
    expect(engine.code).toBe(0);
    const expected = {
      companies: fixtureSimpleTableCompanies.map((c) => ({ name: c.name, batch: c.batch })),
    };
    expect(JSON.parse(standalone.stdout)).toEqual(expected);
    expect(JSON.parse(engine.stdout)).toEqual(JSON.parse(standalone.stdout));
  }, 180_000);

  it('sets the promotion policy, pins and unpins, and approves only proposed versions', async () => {
    expect((await cli(['bundles', 'policy', 'companies'])).stdout).toBe(
      'companies: promotion policy auto, not pinned\n',
    );
    expect((await cli(['bundles', 'policy', 'companies', 'review'])).stdout).toContain(
      'promotion policy review',
    );
    const bogus = await cli(['bundles', 'policy', 'companies', 'sometimes']);
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toContain('must be one of auto, review, off');
    expect((await cli(['bundles', 'pin', 'companies', '1'])).stdout).toContain(
      'runs use v1 whatever is saved later',
    );
    expect((await cli(['bundles', 'pin', 'companies', '9'])).code).toBe(3);
    const shown = await cli(['bundles', 'show', 'companies']);
    expect(shown.stdout).toContain('# status: active; promotion policy: review; pinned to v1');
    const approve = await cli(['bundles', 'approve', 'companies', '2']);
    expect(approve.code).toBe(1);
    expect(approve.stderr).toContain('companies v2 is active, not waiting for review');
    expect((await cli(['bundles', 'unpin', 'companies'])).stdout).toBe(
      'companies: promotion policy review, not pinned\n',
    );
    const settings = JSON.parse((await cli(['bundles', 'show', 'companies', '--json'])).stdout).settings;
    expect(settings).toEqual({ promotion: 'review' });
    expect((await cli(['bundles', 'history', 'companies'])).stdout).toMatch(/VERSION\s+ORIGIN\s+STATUS/);
  });

  it('deletes only with --yes', async () => {
    const refused = await cli(['bundles', 'delete', 'companies']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --yes');
    expect((await cli(['bundles', 'delete', 'companies', '--yes'])).code).toBe(0);
    expect((await cli(['bundles', 'history', 'companies'])).code).toBe(3);
  });
});
