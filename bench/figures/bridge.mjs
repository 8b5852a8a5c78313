// Figure 5: the cost of one bridged page call. The same loop of `page.url()` and of
// `locator.count()` runs inside the sandbox (each call crosses isolate → child → engine →
// Playwright and back) and as a plain script calling Playwright directly; both time the
// loop themselves, so context creation and isolate start are not counted.
import { scriptFromBundle } from '../lib/baseline.mjs';
import { BRIDGE_SCHEMA, BRIDGE_SOURCE } from '../lib/bundles.mjs';
import { reuseOutput } from '../lib/engine.mjs';
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
  const { samples } = await alternate(variants, bridgeRuns);
  const pick = (side, field) => median(samples[side].map((s) => s[field]));
  const result = {
    calls: bridgeCalls,
    samples,
    urlUs: { engine: pick('engine', 'urlUs'), baseline: pick('baseline', 'urlUs') },
    countUs: { engine: pick('engine', 'countUs'), baseline: pick('baseline', 'countUs') },
  };
  log(
    `  bridge: page.url() ${result.urlUs.engine.toFixed(1)} µs vs ${result.urlUs.baseline.toFixed(1)} µs, locator.count() ${result.countUs.engine.toFixed(1)} µs vs ${result.countUs.baseline.toFixed(1)} µs`,
  );
  return result;
}
