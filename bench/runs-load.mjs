#!/usr/bin/env node
// Figures of the run history (issue 14): the size of a typical run record; the latency of
// `GET /{ws}/web-tasks` (the list, with filters and cursor pages) with 10,000 runs in
// PostgreSQL; and the delay of live events from the engine to an SSE client, in one process
// and across processes (an API-only server reading a worker's events from PostgreSQL).
// The server's real HTTP stack, engine and PostgreSQL store; the model, browser and sandbox
// are the test-suite fakes (what is measured is the history, not a browser). Needs the built
// packages (`pnpm exec turbo run build`). Figures in docs/deployment.md.
//
//   node bench/runs-load.mjs [--runs 10000] [--requests 300] [--sse-rounds 5]
//                            [--postgres-url postgres://postgres@127.0.0.1:5432/test]
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/packages.mjs';
import { quantile } from './lib/stats.mjs';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '300' },
    'sse-rounds': { type: 'string', default: '5' },
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
const pg = await load('packages/store-postgres');
const { default: pgLib } = await import(
  path.join(ROOT, 'packages/store-postgres/node_modules/pg/lib/index.js')
);

const WS = 'ws_runs';
const KEY = 'runs-bench-key';
const LIST_URL = 'https://fake.test/list';
const NAMES_SCHEMA = { type: 'array', items: { type: 'object', required: ['name'] } };
const LIST_CODE = [
  'export default async function run(ctx) {',
  `  await ctx.page.goto(${JSON.stringify(LIST_URL)});`,
  "  const names = await ctx.page.locator('.name').allTextContents();",
  "  ctx.log.info('found ' + names.length);",
  '  return names.map((name) => ({ name }));',
  '}',
].join('\n');
const ms = (value) => Math.round(value * 10) / 10;
const stats = (values) => ({
  n: values.length,
  p50: ms(quantile(values, 0.5)),
  p95: ms(quantile(values, 0.95)),
  max: ms(Math.max(...values)),
});

/**
 * A model that explores like a real run, slowly: `steps` navigations `gapMs` apart (each an
 * agent step with events), then the code.
 */
function slowExplorer(steps, gapMs) {
  let call = 0;
  return testSuite.createScriptedLanguageModel(async () => {
    call += 1;
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    if (call % (steps + 1) !== 0) return { content: [testSuite.toolCall('navigate', { url: LIST_URL })] };
    return { content: [testSuite.toolCall('submit', { source: LIST_CODE })] };
  });
}

function engineOn(stores, extra = {}) {
  return core.createWebTasks({
    bundles: stores.bundles,
    tasks: stores.tasks,
    blobs: memory.createMemoryBlobStore({ baseUrl: 'http://files.test', secret: 'bench-secret-0123456789' }),
    locks: memory.createMemoryLockManager(),
    queue: extra.queue ?? memory.createMemoryTaskQueue(),
    browser: testSuite.createFakeBrowserProvider({
      site: {
        pages: {
          [LIST_URL]: {
            title: 'Companies',
            elements: { '.name': Array.from({ length: 40 }, (_, i) => `Company ${i}`) },
          },
        },
      },
    }),
    sandbox: testSuite.createFakeSandbox(),
    compiler: testSuite.createFakeCompiler(),
    model: extra.model ?? slowExplorer(6, 5),
    ...extra.options,
  });
}

async function serve(engine) {
  const app = await server.createServer({
    engine,
    auth: server.createApiKeyAuth([{ workspaceId: WS, keyHash: server.hashApiKey(KEY) }]),
    logger: false,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}

async function get(url, pathAndQuery) {
  const response = await fetch(`${url}/${WS}${pathAndQuery}`, { headers: { 'x-api-key': KEY } });
  const body = await response.json();
  if (!response.ok) throw new Error(`${pathAndQuery} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** 1. A typical run: an exploration (6 agent steps) that saves code, then a reuse of it. */
async function typicalRecords() {
  const stores = { bundles: memory.createMemoryBundleStore(), tasks: memory.createMemoryTaskStore() };
  const engine = engineOn(stores);
  const request = {
    task: 'List every company on the page',
    startUrl: LIST_URL,
    reuseKey: 'companies',
    outputSchema: NAMES_SCHEMA,
  };
  const explored = await engine.run({ workspaceId: WS, request });
  const reused = await engine.run({ workspaceId: WS, request });
  const exploration = await engine.record({ workspaceId: WS, webTaskId: explored.webTaskId });
  const reuse = await engine.record({ workspaceId: WS, webTaskId: reused.webTaskId });
  await engine.close();
  return { exploration, reuse };
}

/** `runs` completed tasks with run records, spread over 100 reuse keys and 30 days. */
async function pgHistory(pool, schema, record, runs) {
  await pool.query(
    `INSERT INTO "${schema}".tasks (web_task_id, workspace_id, status, request, outcome, result, reuse, attempts, created_at, completed_at)
     SELECT 'wt_hist' || lpad(g::text, 7, '0'), $1, 'completed',
            jsonb_build_object('task', 'x', 'parameters', '{}'::jsonb, 'reuseKey', 'key-' || (g % 100), 'reuseKeyGenerated', false, 'model', 'haiku'),
            'success', '{"type":"inline","data":[]}', jsonb_build_object('key', 'key-' || (g % 100), 'used', true, 'created', false, 'updated', false), 1,
            now() - (g || ' minutes')::interval * 4, now() - (g || ' minutes')::interval * 4
       FROM generate_series(1, $2) g`,
    [WS, runs],
  );
  await pool.query(
    `INSERT INTO "${schema}".task_runs (web_task_id, workspace_id, record)
     SELECT web_task_id, workspace_id, $2::jsonb || jsonb_build_object('webTaskId', web_task_id)
       FROM "${schema}".tasks WHERE workspace_id = $1`,
    [WS, JSON.stringify(record)],
  );
  await pool.query(`ANALYZE "${schema}".tasks`);
  await pool.query(`ANALYZE "${schema}".task_runs`);
}

/** 2. List latency: sequential requests of each query, after a warm-up. */
async function listLatency(url) {
  const since = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();
  const queries = {
    'newest 50': '/web-tasks?limit=50',
    'status=completed, 50': '/web-tasks?status=completed&limit=50',
    'reuseKey (one key of 100), 50': '/web-tasks?reuseKey=key-7&limit=50',
    'since 7 days, 50': `/web-tasks?since=${encodeURIComponent(since)}&limit=50`,
  };
  const figures = {};
  for (const [name, query] of Object.entries(queries)) {
    for (let i = 0; i < 20; i += 1) await get(url, query);
    const times = [];
    for (let i = 0; i < Number(args.requests); i += 1) {
      const began = performance.now();
      await get(url, query);
      times.push(performance.now() - began);
    }
    figures[name] = stats(times);
  }
  // Cursor pages: the 2nd to the 40th page of 50 (runs 51–2,000), each followed from the last.
  const times = [];
  for (let round = 0; round < Math.max(1, Math.floor(Number(args.requests) / 40)); round += 1) {
    let page = await get(url, '/web-tasks?limit=50');
    for (let i = 0; i < 39 && page.nextCursor; i += 1) {
      const began = performance.now();
      page = await get(url, `/web-tasks?limit=50&cursor=${encodeURIComponent(page.nextCursor)}`);
      times.push(performance.now() - began);
    }
  }
  figures['cursor pages 2–40, 50 each'] = stats(times);
  // The run record of one run.
  const record = [];
  for (let i = 0; i < Number(args.requests); i += 1) {
    const id = `wt_hist${String(1 + ((i * 37) % Number(args.runs))).padStart(7, '0')}`;
    const began = performance.now();
    await get(url, `/web-tasks/${id}/record`);
    record.push(performance.now() - began);
  }
  figures['one run record'] = stats(record);
  return figures;
}

/** Follow a task's SSE stream; each live event's delay = receipt − its `at` stamp. */
async function sseDelays(url, webTaskId, openedAt) {
  const response = await fetch(`${url}/${WS}/web-tasks/${webTaskId}/events`, {
    headers: { 'x-api-key': KEY, accept: 'text/event-stream' },
  });
  const delays = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    const receivedAt = Date.now();
    buffer += decoder.decode(chunk, { stream: true });
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!data || event === 'result') continue;
      const entry = JSON.parse(data);
      const at = Date.parse(entry.at);
      // Events stamped before the stream opened are replayed history, not live.
      if (at >= openedAt) delays.push(receivedAt - at);
    }
  }
  return delays;
}

/**
 * 3. SSE delay: the API answers from the engine that runs the task, or from another one.
 * With `pushUrl`, each engine pushes and receives events over its own LISTEN/NOTIFY
 * connection (what the server sets up on PostgreSQL); without, the API reads the record.
 */
async function sseFigure(stores, connect, runsOptions, pushUrl) {
  const queue = memory.createMemoryTaskQueue();
  const channel = () =>
    pushUrl ? { eventChannel: pg.createPostgresRunEventChannel({ connectionString: pushUrl }) } : {};
  const worker = engineOn(stores.worker, {
    queue,
    model: slowExplorer(8, 120),
    options: { runs: runsOptions, ...channel() },
  });
  const apiEngine = stores.api
    ? engineOn(stores.api, { queue, options: { worker: false, runs: runsOptions, ...channel() } })
    : worker;
  await worker.startWorker();
  const running = await serve(apiEngine);
  const delays = [];
  for (let round = 0; round < Number(args['sse-rounds']); round += 1) {
    const started = await fetch(`${running.url}/${WS}/web-tasks/start`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({
        task: 'List every company on the page',
        startUrl: LIST_URL,
        reuseKey: `sse-${randomUUID().slice(0, 8)}`,
        outputSchema: NAMES_SCHEMA,
      }),
    }).then((response) => response.json());
    delays.push(...(await sseDelays(running.url, started.webTaskId, Date.now())));
  }
  await running.close();
  if (apiEngine !== worker) await apiEngine.close();
  await worker.close();
  await connect?.();
  return stats(delays);
}

const results = { runs: Number(args.runs) };
const { exploration, reuse } = await typicalRecords();
results.recordBytes = {
  'exploration (6 agent steps, 7 model calls)': JSON.stringify(exploration).length,
  'reuse of saved code': JSON.stringify(reuse).length,
};

const schema = `wt_runs_${randomUUID().slice(0, 8)}`;
const pool = new pgLib.Pool({ connectionString: args['postgres-url'], max: 10 });
try {
  await pg.migratePostgres({ pool, schema });
  await pgHistory(pool, schema, { ...exploration, workspaceId: WS }, Number(args.runs));
  const main = pg.createPostgresStores({ pool, schema });
  const api = engineOn(main, { options: { worker: false } });
  const running = await serve(api);
  results.listLatencyMs = await listLatency(running.url);
  // The same first page read from the store directly: the database's share of the figure.
  const direct = [];
  for (let i = 0; i < Number(args.requests); i += 1) {
    const began = performance.now();
    await main.tasks.list({ workspaceId: WS, limit: 51 });
    direct.push(performance.now() - began);
  }
  results.listLatencyMs['newest 50, TaskStore.list without HTTP'] = stats(direct);
  await running.close();
  await api.close();

  results.sseDelayMs = {
    'same process (PostgreSQL store)': await sseFigure({ worker: main }),
  };
  const second = pg.createPostgresStores({ connectionString: args['postgres-url'], schema });
  results.sseDelayMs[
    'API-only process, worker elsewhere, events pushed over LISTEN/NOTIFY (the server on PostgreSQL)'
  ] = await sseFigure({ worker: second, api: main }, undefined, undefined, args['postgres-url']);
  results.sseDelayMs['API-only process, worker elsewhere, no push (flush 250 ms, poll 500 ms)'] =
    await sseFigure({ worker: second, api: main });
  const third = pg.createPostgresStores({ connectionString: args['postgres-url'], schema });
  results.sseDelayMs['API-only process, worker elsewhere, no push (flush 50 ms, poll 100 ms)'] =
    await sseFigure({ worker: third, api: main }, undefined, { flushIntervalMs: 50, eventPollMs: 100 });
  await second.close();
  await third.close();
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
}
console.log(JSON.stringify(results, null, 2));
