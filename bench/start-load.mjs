#!/usr/bin/env node
// Cost of `POST /{ws}/web-tasks/start` against a history of completed tasks, on the
// filesystem store and on PostgreSQL: the server's real HTTP stack, engine and task store,
// an in-memory queue and no worker (only the start path is measured). Figures in
// docs/deployment.md. Needs the built packages (`pnpm exec turbo run build`).
//
// The 200 concurrent clients run in `--client-processes` separate processes (node:http with
// keep-alive), so that this process is the server alone: profile it with `node --cpu-prof`.
//
//   node bench/start-load.mjs [--store fs|postgres|both] [--history 100000] [--clients 200]
//                             [--client-processes 2] [--starts 4000] [--pool 10] [--rate 500]
//
// Without --rate each client sends its next start as soon as the last one answered (closed
// load: the latency is then clients / throughput, whatever the server does). With --rate the
// starts are sent at that rate over the clients' connections (open load), and the p99 says
// how long a start takes at that throughput.
//                             [--postgres-url postgres://postgres@127.0.0.1:5432/test]
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/packages.mjs';
import { measure as measureProcesses } from './lib/proc.mjs';
import { quantile } from './lib/stats.mjs';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    history: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '200' },
    starts: { type: 'string', default: '4000' },
    'client-processes': { type: 'string', default: '2' },
    pool: { type: 'string', default: '10' },
    rate: { type: 'string' },
    // `info`: the server logs as `webtasks serve` does (pino to stdout, here /dev/null), rather
    // than not at all.
    log: { type: 'string' },
    // PostgreSQL's postmaster, whose process tree (backends included, as they exit) is charged
    // with the database's CPU per start.
    'postgres-pid-file': { type: 'string', default: '/var/run/postgresql/15-main.pid' },
    sequential: { type: 'string', default: '500' },
    'postgres-url': {
      type: 'string',
      default: `postgres://${process.env.PGUSER || 'postgres'}@127.0.0.1:5432/test`,
    },
  },
});
const load = (folder) => import(path.join(ROOT, folder, 'dist', 'index.js'));
const core = await load('packages/core');
const memory = await load('packages/memory');
const server = await load('apps/server');
const testSuite = await load('packages/test-suite');

const WS = 'ws_load';
const KEY = 'load-key';
const history = Number(args.history);

function completedRecord(i, createdAt) {
  const webTaskId = `wt_hist${String(i).padStart(7, '0')}`;
  return {
    webTaskId,
    workspaceId: WS,
    request: { task: 'x', parameters: {}, reuseKey: 'k', reuseKeyGenerated: false, model: 'haiku' },
    status: 'completed',
    outcome: 'success',
    result: { type: 'inline', data: [] },
    reuse: { key: 'k', used: true, created: false, updated: false },
    attempts: 1,
    createdAt,
    completedAt: createdAt,
  };
}

/** 100,000 completed records straight into the fs store's layout (no fsync: setup only). */
async function fsHistory(directory) {
  const workspace = path.join(directory, 'tasks', WS);
  await mkdir(workspace, { recursive: true });
  const createdAt = new Date(Date.UTC(2025, 0, 1)).toISOString();
  for (let i = 0; i < history; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, history - i) }, (_, j) => {
        const record = completedRecord(i + j, createdAt);
        return writeFile(path.join(workspace, `${record.webTaskId}.json`), JSON.stringify(record));
      }),
    );
  }
  // The store's marker index is then already complete: completed tasks have no markers.
  await writeFile(path.join(directory, 'tasks', '.index-v1'), 'bench');
}

async function pgHistory(pool, schema) {
  await pool.query(
    `INSERT INTO "${schema}".tasks (web_task_id, workspace_id, status, request, outcome, result, reuse, attempts, created_at, completed_at)
     SELECT 'wt_hist' || g, $1, 'completed', '{"task":"x","parameters":{},"reuseKey":"k","reuseKeyGenerated":false,"model":"haiku"}',
            'success', '{"type":"inline","data":[]}', '{"key":"k","used":true,"created":false,"updated":false}', 1,
            now() - interval '1 day', now() - interval '1 day'
     FROM generate_series(1, $2) g`,
    [WS, history],
  );
  await pool.query(`ANALYZE "${schema}".tasks`);
}

async function serve(tasks, bundles) {
  const pino = args.log
    ? (await import(path.join(ROOT, 'apps/server/node_modules/pino/pino.js'))).default
    : undefined;
  const log = pino ? pino({ level: args.log, name: 'webtasks' }, pino.destination('/dev/null')) : undefined;
  const engine = core.createWebTasks({
    ...(log ? { logger: server.pinoEngineLogger(log) } : {}),
    bundles,
    tasks,
    blobs: memory.createMemoryBlobStore({ baseUrl: 'http://files.test', secret: 'bench-secret-0123456789' }),
    locks: memory.createMemoryLockManager(),
    queue: memory.createMemoryTaskQueue(),
    browser: testSuite.createFakeBrowserProvider({ site: { pages: {} } }),
    sandbox: testSuite.createFakeSandbox(),
    compiler: testSuite.createFakeCompiler(),
    worker: false,
    limits: { maxQueuedPerWorkspace: 1_000_000 },
  });
  const app = await server.createServer({
    engine,
    auth: server.createApiKeyAuth([{ workspaceId: WS, keyHash: server.hashApiKey(KEY) }]),
    ...(log ? { loggerInstance: log } : { logger: false }),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    async close() {
      await app.close();
      await engine.close();
    },
  };
}

async function startOnce(url) {
  const began = performance.now();
  const response = await fetch(`${url}/${WS}/web-tasks/start`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ task: 'Collect the company names', reuseKey: `key-${randomUUID().slice(0, 8)}` }),
  });
  await response.arrayBuffer();
  if (response.status !== 202) throw new Error(`start answered ${response.status}`);
  return performance.now() - began;
}

const ms = (value) => Math.round(value * 10) / 10;

/** CPU ms used so far by PostgreSQL's processes (undefined when its postmaster is not readable here). */
function postgresCpuMs(store) {
  if (store !== 'postgres') return undefined;
  try {
    const postmaster = Number(readFileSync(args['postgres-pid-file'], 'utf8').split('\n')[0]);
    return measureProcesses({ trees: [postmaster] }, { pss: false }).cpuMs;
  } catch {
    return undefined;
  }
}

async function measure(url, store) {
  for (let i = 0; i < 50; i += 1) await startOnce(url); // warm-up
  const sequential = [];
  for (let i = 0; i < Number(args.sequential); i += 1) sequential.push(await startOnce(url));
  const total = Number(args.starts);
  const processes = Math.max(1, Number(args['client-processes']));
  const clients = Number(args.clients);
  const loaders = Array.from({ length: processes }, (_, i) => {
    const share = (n) => Math.floor(n / processes) + (i < n % processes ? 1 : 0);
    // No inherited flags: a --cpu-prof of this process profiles the server, not its load.
    const child = fork(
      path.join(ROOT, 'bench/lib/start-clients.mjs'),
      [
        JSON.stringify({
          url,
          workspaceId: WS,
          apiKey: KEY,
          clients: share(clients),
          starts: share(total),
          ...(args.rate ? { rate: Number(args.rate) / processes } : {}),
        }),
      ],
      { execArgv: [] },
    );
    const ready = new Promise((resolve) => child.once('message', resolve));
    const done = new Promise((resolve, reject) => {
      child.on('message', (message) => {
        if (message && typeof message === 'object') resolve(message);
      });
      child.once('exit', (code) =>
        code === 0 ? undefined : reject(new Error(`load process exited ${code}`)),
      );
    });
    return { child, ready, done };
  });
  await Promise.all(loaders.map((loader) => loader.ready));
  const serverCpu = process.cpuUsage();
  const postgresBefore = postgresCpuMs(store);
  const began = performance.now();
  for (const loader of loaders) loader.child.send('go');
  const reports = await Promise.all(loaders.map((loader) => loader.done));
  const seconds = (performance.now() - began) / 1000;
  const serverUsed = process.cpuUsage(serverCpu);
  const postgresAfter = postgresCpuMs(store);
  const concurrent = reports.flatMap((report) => report.latencies);
  // CPU time per start of each party: what the machine's cores could serve if nothing else ran.
  const perStart = (cpuMs) => Math.round((cpuMs / concurrent.length) * 1000) / 1000;
  const cpuMsPerStart = {
    server: perStart((serverUsed.user + serverUsed.system) / 1000),
    loadProcesses: perStart(reports.reduce((sum, report) => sum + report.cpuMs, 0)),
    ...(postgresBefore !== undefined && postgresAfter !== undefined
      ? { postgres: perStart(postgresAfter - postgresBefore) }
      : {}),
  };
  const engineSide = cpuMsPerStart.server + (cpuMsPerStart.postgres ?? 0);
  return {
    sequential: {
      n: sequential.length,
      p50Ms: ms(quantile(sequential, 0.5)),
      p99Ms: ms(quantile(sequential, 0.99)),
    },
    concurrent: {
      clients: Number(args.clients),
      clientProcesses: Number(args['client-processes']),
      ...(args.rate ? { offeredPerSecond: Number(args.rate) } : {}),
      n: concurrent.length,
      startsPerSecond: Math.round(concurrent.length / seconds),
      p50Ms: ms(quantile(concurrent, 0.5)),
      p99Ms: ms(quantile(concurrent, 0.99)),
      cpuMsPerStart,
      // Starts per second the server and the database could sustain on this machine's cores
      // with the load generated elsewhere.
      cpuBoundStartsPerSecond: Math.round((availableParallelism() * 1000) / engineSide),
    },
  };
}

const results = {};
if (args.store === 'fs' || args.store === 'both') {
  const fs = await load('packages/store-fs');
  const directory = await mkdtemp(path.join(tmpdir(), 'webtasks-load-'));
  try {
    const began = performance.now();
    await fsHistory(directory);
    const setupSeconds = Math.round((performance.now() - began) / 100) / 10;
    const running = await serve(fs.createFsTaskStore({ directory }), fs.createFsBundleStore({ directory }));
    results.fs = { history, setupSeconds, ...(await measure(running.url, 'fs')) };
    await running.close();
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
if (args.store === 'postgres' || args.store === 'both') {
  const pg = await load('packages/store-postgres');
  const { default: pgLib } = await import(
    path.join(ROOT, 'packages/store-postgres/node_modules/pg/lib/index.js')
  );
  const schema = `wt_load_${randomUUID().slice(0, 8)}`;
  const pool = new pgLib.Pool({ connectionString: args['postgres-url'], max: Number(args.pool) });
  try {
    await pg.migratePostgres({ pool, schema });
    await pgHistory(pool, schema);
    const stores = pg.createPostgresStores({ pool, schema });
    const running = await serve(stores.tasks, stores.bundles);
    results.postgres = { history, ...(await measure(running.url, 'postgres')) };
    await running.close();
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}
console.log(JSON.stringify(results, null, 2));
