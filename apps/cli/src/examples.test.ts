import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runBuiltCli } from './__fixtures__/run-cli.js';

// Each example of examples/ runs as its README says: the site served by examples/serve.mjs,
// the bundle imported with `webtasks bundles import`, then `webtasks run --reuse-key …` with no
// model (the saved code runs: zero model calls), through the built CLI.

const dataRoot = mkdtempSync(path.join(tmpdir(), 'webtasks-examples-'));
afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

const servers: ChildProcess[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.kill();
});

/** `node examples/serve.mjs <example>/site 0`: resolves with the URL it prints. */
function serve(example: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['examples/serve.mjs', `examples/${example}/site`, '0'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    servers.push(child);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    child.stderr.on('data', (chunk) => reject(new Error(`serve.mjs: ${chunk}`)));
    child.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
}

function example(name: string) {
  const dir = `examples/${name}`;
  const dataDir = path.join(dataRoot, name);
  const local = ['--data-dir', dataDir];
  const cli = (args: string[]) => runBuiltCli([...args, ...local]);
  return { dir, cli, file: (file: string) => path.join(dir, file) };
}

/** `webtasks run … --json` with no model: the saved code's output, and the reuse it reports. */
async function runSaved(
  cli: (args: string[]) => ReturnType<typeof runBuiltCli>,
  task: string,
  reuseKey: string,
  host: string,
  params: string[],
) {
  const run = await cli([
    'run',
    task,
    '--reuse-key',
    reuseKey,
    ...params.flatMap((param) => ['--param', param]),
    '--allow-host',
    host,
    '--json',
  ]);
  expect(run.stderr).toMatch(/reused saved code v1 — 0 model calls/);
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as {
    outcome: string;
    reuse: { used: boolean; created: boolean };
    result: { data: Record<string, unknown> };
  };
  expect(result).toMatchObject({ outcome: 'success', reuse: { used: true, created: false } });
  return result.result.data;
}

describe('examples/ through the built CLI', { timeout: 300_000 }, () => {
  it('company-directory: list pages with pagination, then every detail page', async () => {
    const { cli, file } = example('company-directory');
    const site = await serve('company-directory');
    const host = new URL(site).host;
    const directoryUrl = `${site}companies/`;
    const imported = await cli([
      'bundles',
      'import',
      'company-directory',
      file('bundle.ts'),
      '--schema',
      file('schema.json'),
      '--params-schema',
      file('params.schema.json'),
      '--task',
      'Collect every company of the directory with the fields of its detail page',
      '--start-url',
      directoryUrl,
      '--param',
      `directoryUrl=${directoryUrl}`,
      '--allow-host',
      host,
    ]);
    expect(imported.stdout, imported.stderr).toContain(
      'imported bundle.ts as company-directory v1 (verified: 8 rows)',
    );

    const all = await runSaved(cli, 'Collect every company', 'company-directory', host, [
      `directoryUrl=${directoryUrl}`,
    ]);
    const companies = all.companies as Array<Record<string, unknown>>;
    expect(companies).toHaveLength(8);
    expect(companies[0]).toEqual({
      name: 'Northwind Freight',
      industry: 'Logistics',
      city: 'Rotterdam',
      founded: 2011,
      employees: 140,
      website: 'https://northwind-freight.example',
      profileUrl: `${site}companies/northwind-freight.html`,
    });
    // From page 2, and a number with a thousands separator on its page.
    expect(companies.find((c) => c.name === 'Saltmarsh Energy')).toMatchObject({
      employees: 310,
      founded: 2009,
    });

    const software = await runSaved(cli, 'Collect every company', 'company-directory', host, [
      `directoryUrl=${directoryUrl}`,
      'industry=software',
    ]);
    expect((software.companies as Array<{ name: string }>).map((c) => c.name)).toEqual([
      'Kestrel Analytics',
      'Lantern Health',
    ]);

    // The exported script says how to install what it needs and which parameters it reads.
    const script = path.join(dataRoot, 'company-directory.mjs');
    const exported = await cli(['bundles', 'export', 'company-directory', '--out', script]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain('install: npm install playwright-core');
    expect(exported.stderr).toMatch(
      /parameters the code reads:\n {2}directoryUrl \(string, required\) — e\.g\. "http/,
    );
    expect(exported.stderr).toMatch(/\n {2}industry \(string\)/);
    expect(exported.stderr).toContain(`run: node ${script} --params '{"directoryUrl":"${directoryUrl}"`);
    const header = readFileSync(script, 'utf8').split('\n').slice(0, 16).join('\n');
    expect(header).toContain('// Parameters the code reads:');
    expect(header).toContain('`npm install playwright-core`');
  });

  it('multi-page-form: fills three steps from the parameters and returns the confirmation', async () => {
    const { cli, file } = example('multi-page-form');
    const site = await serve('multi-page-form');
    const host = new URL(site).host;
    const formUrl = `${site}apply/`;
    const imported = await cli([
      'bundles',
      'import',
      'membership-application',
      file('bundle.ts'),
      '--schema',
      file('schema.json'),
      '--params-schema',
      file('params.schema.json'),
      '--side-effects',
      '--task',
      'Apply for a membership with the given details and return the reference',
      '--start-url',
      formUrl,
    ]);
    expect(imported.stdout, imported.stderr).toContain(
      'imported bundle.ts as membership-application v1 (not verified',
    );

    const params = [
      `formUrl=${formUrl}`,
      'fullName=Ada Byron',
      'email=ada@example.org',
      'plan=fixed-desk',
      'seats=3',
    ];
    const data = await runSaved(cli, 'Apply for a membership', 'membership-application', host, params);
    expect(data.application).toEqual({
      fullName: 'Ada Byron',
      email: 'ada@example.org',
      plan: 'fixed-desk',
      seats: 3,
      annual: false, // the parameter schema's default
    });
    expect(data.reference).toBe(referenceOf(['Ada Byron', 'ada@example.org', 'fixed-desk', '3']));
    expect(data.confirmation).toBe(`Thank you, Ada Byron. Your reference is ${data.reference}.`);

    // The parameter schema refuses a plan the form does not have, before anything runs.
    const refused = await cli([
      'run',
      'Apply for a membership',
      '--reuse-key',
      'membership-application',
      ...[...params.slice(0, 3), 'plan=penthouse'].flatMap((param) => ['--param', param]),
      '--allow-host',
      host,
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('plan');
  });

  it('file-batch: downloads every report of the year as files', async () => {
    const { cli, file } = example('file-batch');
    const site = await serve('file-batch');
    const host = new URL(site).host;
    const reportsUrl = `${site}reports/`;
    const imported = await cli([
      'bundles',
      'import',
      'arrival-reports',
      file('bundle.ts'),
      '--schema',
      file('schema.json'),
      '--task',
      'Download every monthly arrivals report of the year',
      '--start-url',
      reportsUrl,
      '--param',
      `reportsUrl=${reportsUrl}`,
      '--param',
      'year=2026',
      '--allow-host',
      host,
    ]);
    expect(imported.stdout, imported.stderr).toContain(
      'imported bundle.ts as arrival-reports v1 (verified: 3 rows)',
    );

    const data = await runSaved(cli, 'Download the reports', 'arrival-reports', host, [
      `reportsUrl=${reportsUrl}`,
      'year=2026',
    ]);
    const reports = data.reports as Array<{ month: string; file: Record<string, unknown> }>;
    expect(reports.map((r) => r.month)).toEqual(['2026-01', '2026-02', '2026-03']);
    for (const report of reports) {
      const bytes = readFileSync(
        path.join(REPO_ROOT, `examples/file-batch/site/reports/downloads/arrivals-${report.month}.csv`),
      );
      expect(report.file).toMatchObject({
        name: `arrivals-${report.month}.csv`,
        sizeBytes: bytes.length,
        sourceUrl: `${reportsUrl}downloads/arrivals-${report.month}.csv`,
      });
      expect(report.file.fileId).toEqual(expect.any(String));
      expect(String(report.file.contentType)).toMatch(/^text\/csv/);
    }
  });

  it('table: reads the tide table by its headers, for one harbour or all', async () => {
    const { cli, file } = example('table');
    const site = await serve('table');
    const host = new URL(site).host;
    const tidesUrl = `${site}tides/`;
    const imported = await cli([
      'bundles',
      'import',
      'tide-table',
      file('bundle.ts'),
      '--schema',
      file('schema.json'),
      '--task',
      'Read the tide table',
      '--start-url',
      tidesUrl,
      '--param',
      `tidesUrl=${tidesUrl}`,
      '--allow-host',
      host,
    ]);
    expect(imported.stdout, imported.stderr).toContain(
      'imported bundle.ts as tide-table v1 (verified: 9 rows)',
    );

    const all = await runSaved(cli, 'Read the tide table', 'tide-table', host, [`tidesUrl=${tidesUrl}`]);
    expect(all.tides).toHaveLength(9);
    const greyhaven = await runSaved(cli, 'Read the tide table', 'tide-table', host, [
      `tidesUrl=${tidesUrl}`,
      'harbour=Greyhaven',
    ]);
    expect(greyhaven.tides).toEqual([
      {
        harbour: 'Greyhaven',
        day: 'Mon 7 Dec',
        highWater: '05:18',
        highMetres: 5.6,
        lowWater: '11:33',
        lowMetres: 1.2,
      },
      {
        harbour: 'Greyhaven',
        day: 'Tue 8 Dec',
        highWater: '06:07',
        highMetres: 5.4,
        lowWater: '12:22',
        lowMetres: 1.3,
      },
      {
        harbour: 'Greyhaven',
        day: 'Wed 9 Dec',
        highWater: '07:00',
        highMetres: 5.1,
        lowWater: '13:15',
        lowMetres: 1.6,
      },
    ]);
  });
});

/** The reference examples/multi-page-form/site/apply/form.js shows, computed the same way. */
function referenceOf(fields: string[]): string {
  let hash = 7;
  for (const char of fields.join('|')) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000;
  return `HC-${String(hash).padStart(6, '0')}`;
}
