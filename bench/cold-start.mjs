// Cold start: `webtasks run` of the demo's saved bundle in a fresh process, against the same
// bundle exported as a standalone Playwright script (`webtasks bundles export`) run in a fresh
// process. Both launch Chromium; each round runs both, the order alternating. Prints the
// per-round ratio and the median. `--before-cli PATH` adds a third variant: another build of the
// CLI (e.g. a checkout of the previous release) on the same data, for before/after figures.
// Usage: node bench/cold-start.mjs [--rounds N] [--before-cli apps/cli/dist/cli.js] [--json]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, extname, join, normalize } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/packages.mjs';
import { median, round } from './lib/stats.mjs';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'before-cli': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const rounds = Number.parseInt(flags.rounds, 10);
const cli = join(ROOT, 'apps/cli/dist/cli.js');
const siteDir = join(ROOT, 'examples/demo-site');
const bundleDir = join(ROOT, 'examples/demo-bundle');
const REUSE_KEY = 'demo-books';

function startSite() {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    let file = normalize(join(siteDir, decodeURIComponent(url.pathname)));
    if (url.pathname.endsWith('/')) file = join(file, 'index.html');
    try {
      const body = readFileSync(file);
      const type = extname(file) === '.css' ? 'text/css' : 'text/html; charset=utf-8';
      response.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Run a Node process to its end; resolves with its wall time and output. */
function runNode(args, env) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-800)}`));
      else resolve({ ms: performance.now() - started, stdout, stderr });
    });
  });
}

const server = await startSite();
const catalogueUrl = `http://127.0.0.1:${server.address().port}/books/`;
const dataDir = mkdtempSync(join(tmpdir(), 'webtasks-cold-'));
// The exported script imports playwright-core: keep it where the CLI's node_modules resolve it.
const scriptDir = join(ROOT, 'apps/cli/node_modules/.cache', basename(dataDir));
mkdirSync(scriptDir, { recursive: true });
const env = { ...process.env, WEBTASKS_DATA_DIR: dataDir };
for (const name of ['ANTHROPIC_API_KEY', 'WEBTASKS_OPENAI_BASE_URL']) delete env[name];
try {
  const schema = join(bundleDir, 'schema.json');
  const source = join(bundleDir, 'bundle.ts');
  const imported = spawnSync(
    process.execPath,
    [cli, 'bundles', 'import', REUSE_KEY, source, '--schema', schema, '--task', 'demo'],
    { cwd: ROOT, env, encoding: 'utf8' },
  );
  if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`);
  const script = join(scriptDir, `${REUSE_KEY}.mjs`);
  const exported = spawnSync(process.execPath, [cli, 'bundles', 'export', REUSE_KEY, '--out', script], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  if (exported.status !== 0) throw new Error(`export failed: ${exported.stderr}`);

  const runArgs = (cliPath) => [
    cliPath,
    'run',
    'demo',
    '--reuse-key',
    REUSE_KEY,
    '--param',
    `catalogueUrl=${catalogueUrl}`,
    '--allow-host',
    new URL(catalogueUrl).host,
    '--json',
  ];
  const beforeCli = flags['before-cli'];
  const variants = {
    engine: () => runNode(runArgs(cli), env),
    ...(beforeCli ? { before: () => runNode(runArgs(beforeCli), env) } : {}),
    script: () => runNode([script, '--params', JSON.stringify({ catalogueUrl })], env),
  };
  // One unmeasured run of each: the OS file cache, and the first run of the saved version.
  const warm = {};
  for (const [name, run] of Object.entries(variants)) warm[name] = await run();
  const booksOf = (name) => {
    const parsed = JSON.parse(warm[name].stdout);
    return JSON.stringify(parsed.books ?? parsed.result.data.books);
  };
  for (const name of Object.keys(variants))
    if (booksOf(name) !== booksOf('script'))
      throw new Error(`${name} and the exported script returned different books`);
  const names = Object.keys(variants);
  const perRound = [];
  for (let index = 0; index < rounds; index++) {
    const row = {};
    // The order rotates every round, so no variant always runs first.
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + index) % names.length];
      row[name] = (await variants[name]()).ms;
    }
    perRound.push(row);
    if (!flags.json)
      console.log(
        `round ${index + 1}/${rounds}: ${names.map((n) => `${n} ${row[n].toFixed(0)} ms`).join(', ')}; webtasks run ${(row.engine / row.script).toFixed(2)}×${row.before ? `, before ${(row.before / row.script).toFixed(2)}×` : ''}`,
      );
  }
  const medianOf = (name) => round(median(perRound.map((r) => r[name])), 0);
  const ratioOf = (name) => round(median(perRound.map((r) => r[name] / r.script)));
  const summary = {
    rounds,
    medianMs: Object.fromEntries(names.map((n) => [n, medianOf(n)])),
    ratio: ratioOf('engine'),
    ...(beforeCli ? { beforeRatio: ratioOf('before') } : {}),
    target: 1.5,
    perRound,
  };
  if (flags.json) console.log(JSON.stringify(summary, null, 2));
  else
    console.log(
      `median: ${names.map((n) => `${n} ${summary.medianMs[n]} ms`).join(', ')}; paired ratio ${summary.ratio}× (target ≤ ${summary.target}×)${beforeCli ? `, before ${summary.beforeRatio}×` : ''}`,
    );
} finally {
  server.close();
  server.closeAllConnections?.();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(scriptDir, { recursive: true, force: true });
}
