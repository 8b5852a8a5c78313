// Figure 8: the fixed cost of one task — fresh browser context, sandbox run, validation,
// delivery, task records — measured with a task that does no page work, against a plain script
// that opens a fresh context and page, runs the same function and closes the context.
import { scriptFromBundle } from '../lib/baseline.mjs';
import { EMPTY_SCHEMA, EMPTY_SOURCE } from '../lib/bundles.mjs';
import { reuseOutput } from '../lib/engine.mjs';
import { alternate, median, timed } from '../lib/stats.mjs';

export async function overheadFigure(ctx) {
  const { engineBench, baseline, latencyRuns, log } = ctx;
  const reuseKey = 'bench-empty';
  await engineBench.importBundle(reuseKey, EMPTY_SOURCE, EMPTY_SCHEMA);
  const script = await scriptFromBundle(EMPTY_SOURCE);
  const parameters = { marker: 'bench' };
  const callsBefore = engineBench.model.calls.length;
  const usage = { modelCalls: 0, aiUsd: 0, reuseRuns: 0 };
  const check = (output) => {
    if (output.ok !== true) throw new Error(`overhead: unexpected output ${JSON.stringify(output)}`);
  };
  const variants = {
    engine: async () => {
      const { ms, value } = await timed(() =>
        engineBench.runEmbedded({ task: 'bench empty', reuseKey, parameters }),
      );
      check(reuseOutput(value, 'empty', engineBench.failures));
      usage.aiUsd += value.cost.aiUsd;
      usage.reuseRuns += 1;
      return ms;
    },
    baseline: async () => {
      const { ms, value } = await timed(() => baseline.run(script, parameters));
      check(value);
      return ms;
    },
  };
  for (const variant of Object.values(variants)) await variant();
  const { samples, perRound } = await alternate(variants, latencyRuns);
  usage.modelCalls = engineBench.model.calls.length - callsBefore;
  const result = {
    samplesMs: samples,
    medianMs: { engine: median(samples.engine), baseline: median(samples.baseline) },
    // Paired by round: the median of (engine − baseline) over rounds.
    extraMs: median(perRound.map((row) => row.engine - row.baseline)),
    usage,
  };
  log(
    `  fixed per-task cost: engine ${result.medianMs.engine.toFixed(0)} ms, plain fresh context ${result.medianMs.baseline.toFixed(0)} ms, difference ${result.extraMs.toFixed(0)} ms`,
  );
  return result;
}
