#!/usr/bin/env node
// `npm run demo`: webtasks end to end on this machine, with no API key. Serves the example
// site (examples/demo-site) on 127.0.0.1, imports the example bundle (examples/demo-bundle)
// into a temporary data dir under a reuse key, and runs the task through the embedded engine
// (real Chromium, isolated-vm, the filesystem stores). The saved code is reused, so the run
// makes no model calls. Stops the site and removes the data dir at the end. Sets up first
// whatever is missing (tooling/scripts/setup/): pnpm, dependencies, Chromium, the build.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setupOrExit } from './setup/index.mjs';

const root = path.resolve(new URL('../..', import.meta.url).pathname);
const siteDir = path.join(root, 'examples/demo-site');
const bundleDir = path.join(root, 'examples/demo-bundle');
const cli = path.join(root, 'apps/cli/dist/cli.js');
const REUSE_KEY = 'demo-books';
const TASK =
  'Collect every book of the Harbour Lane Books catalogue: title, author, year, price in GBP and whether it is in stock.';
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (text) => process.stdout.write(`\n== ${text}\n`);

function fail(message) {
  process.stderr.write(`\ndemo: ${message}\n`);
  process.exit(1);
}

const CONTENT_TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** A static server for examples/demo-site on a free port of 127.0.0.1. */
async function startSite() {
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    let file = path.normalize(path.join(siteDir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(siteDir)) {
      response.writeHead(403).end();
      return;
    }
    if (url.pathname.endsWith('/')) file = path.join(file, 'index.html');
    try {
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      });
      response.end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: server.address().port };
}

/** Run the CLI: its progress (stderr) streams through and is kept, like its stdout. */
function webtasks(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function printBooks(books) {
  const rows = books.map((b) => [
    b.title,
    b.author,
    String(b.year),
    `£${b.priceGbp.toFixed(2)}`,
    b.inStock ? 'yes' : 'no',
  ]);
  const head = ['TITLE', 'AUTHOR', 'YEAR', 'PRICE', 'IN STOCK'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [head, ...rows])
    process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
}

async function main() {
  // pnpm, dependencies, Chromium and the build of the CLI and what it uses, each said as it happens.
  const setUp = await setupOrExit({ name: 'demo', filter: '@webtasks/cli...' });
  const { server, port } = await startSite();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'webtasks-demo-'));
  // No model: the demo shows that saved code runs without one.
  const env = { ...setUp.env, WEBTASKS_DATA_DIR: dataDir };
  for (const name of ['ANTHROPIC_API_KEY', 'WEBTASKS_OPENAI_BASE_URL']) delete env[name];
  try {
    const catalogueUrl = `http://127.0.0.1:${port}/books/`;
    say(`example site: ${catalogueUrl} (examples/demo-site)`);

    say(`importing examples/demo-bundle as reuse key "${REUSE_KEY}" (data dir ${dataDir})`);
    const imported = await webtasks(
      [
        'bundles',
        'import',
        REUSE_KEY,
        path.join(bundleDir, 'bundle.ts'),
        '--schema',
        path.join(bundleDir, 'schema.json'),
        '--task',
        TASK,
        '--start-url',
        catalogueUrl,
        // The import runs the bundle once on the site to check it and record its baseline.
        '--param',
        `catalogueUrl=${catalogueUrl}`,
        '--allow-host',
        `127.0.0.1:${port}`,
      ],
      env,
    );
    process.stdout.write(imported.stdout);
    if (imported.code !== 0) fail(`importing the example bundle failed (exit ${imported.code}).`);

    say('running the task with the embedded engine (no API key set)');
    const runStarted = Date.now();
    const run = await webtasks(
      [
        'run',
        TASK,
        '--reuse-key',
        REUSE_KEY,
        '--param',
        `catalogueUrl=${catalogueUrl}`,
        '--allow-host',
        `127.0.0.1:${port}`,
        '--json',
      ],
      env,
    );
    if (run.code !== 0) fail(`the run failed (exit ${run.code}): see the progress above.`);
    const result = JSON.parse(run.stdout);
    const books = result.result?.data?.books ?? [];
    say(`result: ${books.length} books`);
    printBooks(books);
    const reused = result.reuse.used && !result.reuse.updated;
    const modelCalls = Number(/(\d+) model calls?/.exec(run.stderr)?.[1] ?? Number.NaN);
    process.stdout.write(
      `\n${reused ? 'The saved code was reused' : 'The saved code was NOT reused'}: ${modelCalls} model calls, $${result.cost.aiUsd.toFixed(4)} AI cost; the run took ${((Date.now() - runStarted) / 1000).toFixed(1)}s, the demo ${elapsed()}.\n`,
    );
    if (!reused || modelCalls !== 0) fail('expected the saved code to be reused with no model calls.');
  } finally {
    server.close();
    server.closeAllConnections?.();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => fail(error?.stack ?? String(error)));
