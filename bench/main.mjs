// The webtasks benchmarks: saved code run by the engine against the same code as a plain
// Playwright script, measured in one process, alternating. Start with `pnpm bench` (see run.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bridgeFigure } from './figures/bridge.mjs';
import { filesFigure } from './figures/files.mjs';
import { latencyFigure } from './figures/latency.mjs';
import { observeFigure } from './figures/observe.mjs';
import { overheadFigure } from './figures/overhead.mjs';
import { realisticFigures } from './figures/realistic.mjs';
import { reuseFigures } from './figures/reuse.mjs';
import { throughputFigure } from './figures/throughput.mjs';
import { createBaseline } from './lib/baseline.mjs';
import { createBenchEngine } from './lib/engine.mjs';
import { load, ROOT } from './lib/packages.mjs';
import { childrenMatching } from './lib/proc.mjs';
import { startShopServers } from './lib/site-servers.mjs';
import { summaryRows } from './lib/summary.mjs';
import { formatMarkdown, formatText } from './lib/table.mjs';

const FIGURES = ['reuse', 'realistic', 'files', 'latency', 'overhead', 'throughput', 'bridge', 'observe'];
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    pages: { type: 'string' },
    only: { type: 'string' },
    'sandbox-workers': { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(`pnpm bench [--quick] [--runs N] [--pages N] [--only ${FIGURES.join(',')}] [--sandbox-workers N] [--out file] [--build]
  --quick            fewer runs and pages, for iteration (not for published figures)
  --runs N           runs per variant of the reuse figure (default 5, quick 3)
  --pages N          detail pages opened by the directory and shop tasks (default 200, quick 20)
  --only LIST        run only these figures
  --sandbox-workers  isolate child processes of the engine (default: the sandbox package's default)
  --out FILE         where to write the JSON (default bench/results/<date>.json)
  --build            rebuild the packages first`);
  process.exit(0);
}
const int = (value, fallback) => (value === undefined ? fallback : Number.parseInt(value, 10));
const quick = flags.quick;
const settings = {
  quick,
  runs: int(flags.runs, quick ? 3 : 5),
  detailPages: int(flags.pages, quick ? 20 : 200),
  latencyRuns: quick ? 8 : 20,
  throughputRounds: quick ? 3 : 5,
  throughputPages: quick ? 5 : 10,
  bridgeCalls: quick ? 200 : 500,
  bridgeRuns: quick ? 5 : 21,
  sandboxWorkers: flags['sandbox-workers'] === undefined ? undefined : int(flags['sandbox-workers']),
};
const only = new Set(flags.only ? flags.only.split(',') : FIGURES);
for (const name of only) if (!FIGURES.includes(name)) throw new Error(`unknown figure ${name}`);

const log = (message) => console.log(message);
const started = new Date();
const loadBefore = loadavg();
log(
  `webtasks bench ${quick ? '(quick) ' : ''}— ${cpus().length} CPUs, load ${loadBefore.map((l) => l.toFixed(1)).join(' ')}`,
);

const { startFixtureSites, startRealSites } = await load('@webtasks/test-suite');
const sites = await startFixtureSites();
const shops = await startShopServers();
const realSites = await startRealSites();
const baseline = await createBaseline();
const baselineChromium = childrenMatching(/chromium/);
const chromiumVersion = baseline.browser.version();
const engineBench = await createBenchEngine({
  fixtureHost: new URL(sites.baseUrl).host,
  allowHosts: [...shops.hosts, new URL(realSites.baseUrl).host],
  sandboxWorkers: settings.sandboxWorkers,
});
// The engine's Chromium: launched now so that its processes can be told apart from the baseline's.
await engineBench.browser.getInstance();
const engineChromium = childrenMatching(/chromium/).filter((pid) => !baselineChromium.includes(pid));
const ctx = {
  ...settings,
  sites,
  shops,
  realSites,
  baseline,
  engineBench,
  log,
  processes: {
    engine: () => ({
      singles: [process.pid],
      trees: [...engineChromium, ...childrenMatching(/isolate-child/)],
    }),
    baseline: () => ({ singles: [process.pid], trees: baselineChromium }),
  },
};

const figures = {};
try {
  for (const name of FIGURES) {
    if (!only.has(name)) continue;
    log(`${name}…`);
    const begun = performance.now();
    if (name === 'reuse') figures.reuse = await reuseFigures(ctx);
    if (name === 'realistic') figures.realistic = await realisticFigures(ctx);
    if (name === 'files') figures.files = await filesFigure(ctx);
    if (name === 'latency') figures.latency = await latencyFigure(ctx);
    if (name === 'overhead') figures.overhead = await overheadFigure(ctx);
    if (name === 'throughput') figures.throughput = await throughputFigure(ctx);
    if (name === 'bridge') figures.bridge = await bridgeFigure(ctx);
    if (name === 'observe') figures.observe = await observeFigure(ctx);
    log(`  (${((performance.now() - begun) / 1000).toFixed(0)} s)`);
  }
  figures.modelCalls = { total: engineBench.model.calls.length };
} finally {
  await engineBench.close().catch((error) => console.error('closing the engine failed', error));
  await baseline.close().catch(() => {});
  await sites.close().catch(() => {});
  await shops.close().catch(() => {});
  await realSites.close().catch(() => {});
}

const rows = summaryRows(figures, settings);
console.log(`\n${formatText(rows)}\n`);
const failed = rows.filter((r) => r.result === 'FAIL').length;
console.log(failed ? `${failed} figure(s) missed their target.` : 'Every figure met its target.');

const result = {
  date: started.toISOString(),
  durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Number((totalmem() / 2 ** 30).toFixed(1)),
    freeMemoryGb: Number((freemem() / 2 ** 30).toFixed(1)),
    loadBefore,
    loadAfter: loadavg(),
    node: process.version,
    chromium: chromiumVersion,
  },
  settings,
  table: rows,
  markdown: formatMarkdown(rows),
  figures,
};
const out =
  flags.out ??
  join(ROOT, 'bench', 'results', `${started.toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`);
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Wrote ${out}`);
