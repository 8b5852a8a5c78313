#!/usr/bin/env node
// What a bridged call would cost with no process boundary: an isolate (isolated-vm) on the very
// thread of the Playwright client that drives the page, calling out synchronously and answered
// by one synchronous entry back in — the shape of the isolate child's bridge, without the hop.
// Both designs that would meet figure 5's +100 µs (isolates in the engine's process, or a
// Playwright client in each isolate child) put the code on that thread; this measures what
// either could reach, beside the same loops run by plain Playwright, alternating. It is a probe
// for that decision (docs/performance.md, "The bridge"), not a figure of the engine.
//
//   node --no-node-snapshot bench/same-thread-bridge.mjs [--calls 500] [--rounds 21]
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBaseline } from './lib/baseline.mjs';
import { load, ROOT } from './lib/packages.mjs';
import { median } from './lib/stats.mjs';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '500' }, rounds: { type: 'string', default: '21' } },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const ivm = createRequire(join(ROOT, 'packages/sandbox-isolated-vm/package.json'))('isolated-vm');

// The isolate's side: a call leaves through `host` and its reply comes back through `deliver`,
// as in the isolate child's bridge; the loop runs in the isolate and times itself.
const BRIDGE = `const host = $0;
const waiting = new Map();
let nextId = 1;
globalThis.call = (json) => new Promise((resolve, reject) => {
  const id = nextId++;
  waiting.set(id, [resolve, reject]);
  host.applySync(undefined, [id, json], { arguments: { copy: true } });
});
return function deliver(id, reply) {
  const entry = waiting.get(id);
  waiting.delete(id);
  if (reply[0] === '1') entry[0](JSON.parse(reply.slice(1)));
  else entry[1](new Error(reply.slice(1)));
};`;
const LOOP = `(async function loop(calls, done) {
  const timings = {};
  for (const op of ['url', 'count', 'url', 'count']) {
    const request = JSON.stringify({ kind: 'page', command: op === 'url'
      ? { target: 'page', op: 'url', args: [] }
      : { target: 'locator', op: 'count', locator: [{ kind: 'locator', selector: 'h1' }], args: [] } });
    const started = Date.now();
    for (let i = 0; i < calls; i++) await call(request);
    timings[op] = Date.now() - started;
  }
  done.applySync(undefined, [JSON.stringify(timings)]);
})`;

const { startFixtureSites } = await load('@webtasks/test-suite');
const sites = await startFixtureSites();
const baseline = await createBaseline();
const startUrl = `${sites.baseUrl}/form`;

/** The isolate's loop on `page`, each call answered by Playwright on this thread. */
async function isolateLoop(page) {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  try {
    const context = await isolate.createContext();
    const heading = page.locator('h1');
    let deliver;
    const host = (id, json) => {
      const { command } = JSON.parse(json);
      const answer = command.op === 'url' ? Promise.resolve(page.url()) : heading.count();
      answer.then(
        (value) =>
          deliver.applySync(undefined, [id, `1${JSON.stringify(value)}`], { arguments: { copy: true } }),
        (error) => deliver.applySync(undefined, [id, `0${error.message}`], { arguments: { copy: true } }),
      );
    };
    deliver = await context.evalClosure(BRIDGE, [host], {
      arguments: { reference: true },
      result: { reference: true },
    });
    const loop = await context.eval(LOOP, { reference: true });
    const timings = await new Promise((resolve) => {
      const done = (json) => resolve(JSON.parse(json));
      loop.applySync(undefined, [calls, new ivm.Reference(done)], { arguments: { reference: false } });
    });
    return { urlUs: (timings.url * 1000) / calls, countUs: (timings.count * 1000) / calls };
  } finally {
    isolate.dispose();
  }
}

/** The same loops as a plain script. */
async function plainLoop(page) {
  const heading = page.locator('h1');
  const timings = {};
  for (const op of ['url', 'count', 'url', 'count']) {
    const started = Date.now();
    for (let i = 0; i < calls; i++) await (op === 'url' ? page.url() : heading.count());
    timings[op] = Date.now() - started;
  }
  return { urlUs: (timings.url * 1000) / calls, countUs: (timings.count * 1000) / calls };
}

const variants = { isolate: isolateLoop, plain: plainLoop };
const extras = { urlUs: [], countUs: [] };
const samples = { isolate: [], plain: [] };
try {
  await baseline.withPage(async (page) => {
    await page.goto(startUrl);
    await isolateLoop(page);
    await plainLoop(page);
    for (let round = 0; round < rounds; round++) {
      const row = {};
      for (const name of round % 2 ? ['plain', 'isolate'] : ['isolate', 'plain']) {
        row[name] = await variants[name](page);
        samples[name].push(row[name]);
      }
      extras.urlUs.push(row.isolate.urlUs - row.plain.urlUs);
      extras.countUs.push(row.isolate.countUs - row.plain.countUs);
    }
  });
} finally {
  await baseline.close();
  await sites.close();
}
const text = (field) =>
  `${median(samples.isolate.map((s) => s[field])).toFixed(1)} µs vs ${median(samples.plain.map((s) => s[field])).toFixed(1)} µs (paired +${median(extras[field]).toFixed(1)} µs)`;
console.log(`same-thread bridge, ${rounds} rounds of ${calls} calls, one page, alternating:`);
console.log(`  page.url()        ${text('urlUs')}`);
console.log(`  locator.count()   ${text('countUs')}`);
