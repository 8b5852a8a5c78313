// Figure 5: the cost of one bridged page call. The same loop of `page.url()` and of
// `locator.count()` runs inside the sandbox (each call crosses isolate → child → engine →
// Playwright and back) and as a plain script calling Playwright directly; both time the
// loop themselves, so context creation and isolate start are not counted. The extra cost is
// the median over rounds of each round's difference: a call to Chromium drifts by a millisecond
// from minute to minute on a shared machine, far more than the bridge costs, and pairing the two
// runs of one round cancels most of that. The figure also measures the floor any process
// boundary between the code and the Playwright client costs here (`process-hop.mjs`).
import { scriptFromBundle } from '../lib/baseline.mjs';
import { BRIDGE_SCHEMA, BRIDGE_SOURCE } from '../lib/bundles.mjs';
import { reuseOutput } from '../lib/engine.mjs';
import { processHopFloor } from '../lib/process-hop.mjs';
import { alternate, median, timed } from '../lib/stats.mjs';

export async function bridgeFigure(ctx) {
  const { engineBench, baseline, sites, bridgeCalls, bridgeRuns, log } = ctx;
  const reuseKey = 'bench-bridge';
  await engineBench.importBundle(reuseKey, BRIDGE_SOURCE, BRIDGE_SCHEMA);
  const script = await scriptFromBundle(BRIDGE_SOURCE);
  const parameters = { startUrl: `${sites.baseUrl}/form`, calls: bridgeCalls };
  const perCall = (output) => ({
    urlUs: (output.urlMs * 1000) / output.calls,
    countUs: (output.countMs * 1000) / output.calls,
  });
  const variants = {
    engine: async () => {
      const { value } = await timed(() =>
        engineBench.runEmbedded({ task: 'bench bridge', reuseKey, parameters }),
      );
      return perCall(reuseOutput(value, 'bridge', engineBench.failures));
    },
    baseline: async () => perCall(await baseline.run(script, parameters)),
  };
  await variants.engine();
  await variants.baseline();
  const { samples, perRound } = await alternate(variants, bridgeRuns);
  const figure = (field) => ({
    engine: median(samples.engine.map((s) => s[field])),
    baseline: median(samples.baseline.map((s) => s[field])),
    extra: median(perRound.map((row) => row.engine[field] - row.baseline[field])),
  });
  const result = {
    calls: bridgeCalls,
    rounds: bridgeRuns,
    samples,
    urlUs: figure('urlUs'),
    countUs: figure('countUs'),
  };
  result.floor = await processHopFloor({
    baseline,
    startUrl: parameters.startUrl,
    calls: bridgeCalls,
    rounds: bridgeRuns,
  });
  const text = (f) =>
    `${f.engine.toFixed(1)} µs vs ${f.baseline.toFixed(1)} µs (paired +${f.extra.toFixed(1)} µs)`;
  log(`  bridge: page.url() ${text(result.urlUs)}, locator.count() ${text(result.countUs)}`);
  log(
    `  floor of a process boundary on this machine: bare round trip ${result.floor.roundTripUs.toFixed(1)} µs; a Chromium call right after one +${result.floor.countPenaltyUs.toFixed(1)} µs`,
  );
  return result;
}
