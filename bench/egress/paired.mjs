// Paired before/after figures of the browser's network layer: page loads of the fixture
// directory through a browser session, and the worker's RSS under a 2 GiB download by URL.
//
//   node bench/egress/paired.mjs BEFORE_DIST AFTER_DIST [--rounds 5] [--pages 30]
//
// BEFORE_DIST and AFTER_DIST are built `@webtasks/browser-playwright` entry files (for the
// "before", build the old commit's src with tsup into packages/browser-playwright/dist-old so
// its imports resolve). Rounds alternate the order of the two variants; a plain Playwright
// context is measured in every round as the reference. The download runs in a child process
// per variant, so one variant's heap never counts against the other.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { load, loadPlaywright } from '../lib/packages.mjs';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string' },
    pages: { type: 'string' },
    download: { type: 'string' },
    'downloads-only': { type: 'boolean' },
  },
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function downloadChild(entry) {
  const { createPlaywrightBrowserProvider } = await import(pathToFileURL(resolve(entry)).href);
  const total = 2 * 1024 ** 3;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
    const chunk = Buffer.alloc(256 * 1024, 7);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!res.write(chunk)) return;
      }
      res.end();
    };
    res.on('drain', pump);
    pump();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${server.address().port}`;
  const provider = createPlaywrightBrowserProvider({ egress: { allowHosts: [host] } });
  const session = await provider.openSession();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = Date.now();
  let outcome;
  try {
    const file = await session.download({
      trigger: { kind: 'url', url: `http://${host}/big.bin` },
      timeoutMs: 120_000,
    });
    outcome = `downloaded ${file.body.byteLength} bytes`;
  } catch (error) {
    outcome = String(error.message).split('\n')[0].slice(0, 160);
  }
  clearInterval(sampler);
  delay.disable();
  peak = Math.max(peak, process.memoryUsage.rss());
  await session.close();
  await provider.close();
  server.closeAllConnections();
  server.close();
  process.stdout.write(
    JSON.stringify({
      rssGrowthMB: Math.round((peak - baseline) / 1048576),
      seconds: (Date.now() - started) / 1000,
      // The worst wait of a timer: what a /healthz answered by this process would have waited.
      maxEventLoopStallMs: Math.round(delay.max / 1e6),
      p99EventLoopStallMs: Math.round(delay.percentile(99) / 1e6),
      outcome,
    }),
  );
}

async function pageLoads(entries, rounds, pages) {
  const { startFixtureSites } = await load('@webtasks/test-suite');
  const { chromium } = await loadPlaywright();
  const variants = await Promise.all(entries.map((e) => import(pathToFileURL(resolve(e)).href)));
  const sites = await startFixtureSites();
  const allow = { allowHosts: [`127.0.0.1:${sites.port}`] };
  const providers = variants.map((v) => v.createPlaywrightBrowserProvider({ egress: allow }));
  const { DEFAULT_LAUNCH_ARGS } = variants[1];
  const plain = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...DEFAULT_LAUNCH_ARGS],
  });
  const probe = await plain.newPage();
  await probe.goto(`${sites.baseUrl}/directory`);
  const links = await probe.$$eval('a[href^="/directory/"]', (as) => as.map((a) => a.getAttribute('href')));
  await probe.close();
  const urls = [`${sites.baseUrl}/directory`, ...links.map((l) => `${sites.baseUrl}${l}`)].slice(0, pages);
  const times = { plain: [], before: [], after: [] };
  const runSession = async (provider, into) => {
    const session = await provider.openSession();
    for (const url of urls) {
      const t = performance.now();
      await session.execute({ command: { target: 'page', op: 'goto', args: [url] } });
      into.push(performance.now() - t);
    }
    await session.close();
  };
  const runPlain = async () => {
    const context = await plain.newContext();
    const page = await context.newPage();
    for (const url of urls) {
      const t = performance.now();
      await page.goto(url);
      times.plain.push(performance.now() - t);
    }
    await context.close();
  };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
    await runPlain();
    for (const name of order) await runSession(providers[name === 'before' ? 0 : 1], times[name]);
  }
  await Promise.all(providers.map((p) => p.close()));
  await plain.close();
  await sites.close();
  const summary = Object.fromEntries(
    Object.entries(times).map(([k, v]) => [k, { medianMs: +median(v).toFixed(1), n: v.length }]),
  );
  return {
    urls: urls.length,
    rounds,
    ...summary,
    afterOverBefore: +(summary.after.medianMs / summary.before.medianMs).toFixed(3),
  };
}

if (values.download) {
  await downloadChild(values.download);
} else if (values['downloads-only']) {
  for (const [name, entry] of [
    ['before', positionals[0]],
    ['after', positionals[1]],
  ]) {
    const child = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--download', entry], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    console.log(`2 GiB download by URL, ${name}:`, child.stdout || child.stderr.slice(0, 500));
  }
} else {
  const [before, after] = positionals;
  if (!before || !after) throw new Error('usage: node bench/egress/paired.mjs BEFORE_DIST AFTER_DIST');
  const loads = await pageLoads([before, after], Number(values.rounds ?? 5), Number(values.pages ?? 30));
  console.log('page loads through a session (fixture directory):', JSON.stringify(loads, null, 2));
  for (const [name, entry] of [
    ['before', before],
    ['after', after],
  ]) {
    const child = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--download', entry], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    console.log(`2 GiB download by URL, ${name}:`, child.stdout || child.stderr.slice(0, 500));
  }
}
