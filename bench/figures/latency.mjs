// Figure 3: start → completed of a trivial cached task through the server (SDK, long-poll),
// against a bare script that opens a fresh context, goes to the page and reads its title.
import { scriptFromBundle } from '../lib/baseline.mjs';
import { TRIVIAL_SCHEMA, TRIVIAL_SOURCE } from '../lib/bundles.mjs';
import { reuseOutput } from '../lib/engine.mjs';
import { alternate, quantile, timed } from '../lib/stats.mjs';

export async function latencyFigure(ctx) {
  const { engineBench, baseline, sites, latencyRuns, log } = ctx;
  const reuseKey = 'bench-trivial';
  await engineBench.importBundle(reuseKey, TRIVIAL_SOURCE, TRIVIAL_SCHEMA);
  const script = await scriptFromBundle(TRIVIAL_SOURCE);
  const parameters = { startUrl: `${sites.baseUrl}/form` };
  const callsBefore = engineBench.model.calls.length;
  const usage = { modelCalls: 0, aiUsd: 0, reuseRuns: 0 };
  const check = (output) => {
    if (typeof output.title !== 'string' || output.title === '') throw new Error('latency: no title');
  };
  // One reuse run of the trivial task through the server or the embedded engine.
  const reuseRun = (run) => async () => {
    const { ms, value } = await timed(() => run({ task: 'bench trivial', reuseKey, parameters }));
    check(reuseOutput(value, 'trivial', engineBench.failures));
    usage.aiUsd += value.cost.aiUsd;
    usage.reuseRuns += 1;
    return ms;
  };
  const variants = {
    server: reuseRun(engineBench.runServer),
    embedded: reuseRun(engineBench.runEmbedded),
    baseline: async () => {
      const { ms, value } = await timed(() => baseline.run(script, parameters));
      check(value);
      return ms;
    },
  };
  for (const variant of Object.values(variants)) await variant();
  const { samples } = await alternate(variants, latencyRuns);
  usage.modelCalls = engineBench.model.calls.length - callsBefore;
  const summary = (values) => ({ p50: quantile(values, 0.5), p95: quantile(values, 0.95) });
  const result = {
    samplesMs: samples,
    server: summary(samples.server),
    embedded: summary(samples.embedded),
    baseline: summary(samples.baseline),
    usage,
  };
  log(
    `  latency p50: server ${result.server.p50.toFixed(0)} ms, embedded ${result.embedded.p50.toFixed(0)} ms, playwright ${result.baseline.p50.toFixed(0)} ms`,
  );
  return result;
}
