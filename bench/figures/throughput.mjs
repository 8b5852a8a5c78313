// Figures 4 and 7: ten cached tasks started at once through the server (ten reuse keys, since
// runs of one key queue behind each other) against ten plain scripts at once, each in its own
// context; memory and CPU time of each side's processes sampled meanwhile.
import { scriptFromBundle } from '../lib/baseline.mjs';
import { DIRECTORY_SCHEMA, DIRECTORY_SOURCE } from '../lib/bundles.mjs';
import { reuseOutput } from '../lib/engine.mjs';
import { measure, sampleProcesses } from '../lib/proc.mjs';
import { alternate, median, pairedRatio, timed } from '../lib/stats.mjs';

export const CONCURRENCY = 10;

export async function throughputFigure(ctx) {
  const { engineBench, baseline, sites, throughputRounds, throughputPages, processes, log } = ctx;
  const keys = Array.from({ length: CONCURRENCY }, (_, i) => `bench-concurrent-${i}`);
  for (const key of keys) await engineBench.importBundle(key, DIRECTORY_SOURCE, DIRECTORY_SCHEMA);
  const script = await scriptFromBundle(DIRECTORY_SOURCE);
  const parameters = { startUrl: `${sites.baseUrl}/directory`, listPages: 1, limit: throughputPages };
  const callsBefore = engineBench.model.calls.length;
  const usage = { modelCalls: 0, aiUsd: 0, reuseRuns: 0, failedRuns: 0, failures: [] };
  const usageOf = { engine: [], baseline: [] };
  const idle = { engine: measure(processes.engine()), baseline: measure(processes.baseline()) };

  const batch = async (side, one) => {
    const sampler = sampleProcesses(processes[side], 1000);
    const { ms } = await timed(() => Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => one(i))));
    usageOf[side].push(sampler.stop());
    return ms;
  };
  const variants = {
    engine: () =>
      batch('engine', async (i) => {
        try {
          const result = await engineBench.runServer({
            task: 'bench concurrent',
            reuseKey: keys[i],
            parameters,
          });
          usage.aiUsd += result.cost?.aiUsd ?? 0;
          usage.reuseRuns += 1;
          const output = reuseOutput(result, `concurrent ${i}`, engineBench.failures);
          if (output.companies?.length !== throughputPages) throw new Error('concurrent: wrong row count');
        } catch (error) {
          // Counted and reported; the batch still ends when its slowest task does.
          usage.failedRuns += 1;
          usage.failures.push(String(error?.message ?? error).slice(0, 500));
          log(`  throughput: a task failed: ${String(error?.message ?? error).slice(0, 300)}`);
        }
      }),
    baseline: () =>
      batch('baseline', async () => {
        const output = await baseline.run(script, parameters);
        if (output.companies.length !== throughputPages) throw new Error('concurrent: wrong row count');
      }),
  };
  await variants.engine();
  await variants.baseline();
  usageOf.engine.length = 0;
  usageOf.baseline.length = 0;
  const { samples, perRound } = await alternate(variants, throughputRounds, (round, row) =>
    log(
      `  throughput round ${round + 1}/${throughputRounds}: engine ${row.engine.toFixed(0)} ms, playwright ${row.baseline.toFixed(0)} ms for ${CONCURRENCY} tasks`,
    ),
  );
  usage.modelCalls = engineBench.model.calls.length - callsBefore;
  const perSecond = (ms) => (CONCURRENCY * 1000) / ms;
  const med = (side, field) => median(usageOf[side].map((u) => u[field]));
  const bySide = (f) => ({ engine: f('engine'), baseline: f('baseline') });
  return {
    batchMs: samples,
    tasksPerSecond: {
      engine: perSecond(median(samples.engine)),
      baseline: perSecond(median(samples.baseline)),
    },
    // Throughput ratio = inverse of the batch-time ratio, paired per round.
    ratio: 1 / pairedRatio(perRound, 'engine', 'baseline'),
    // CPU time of every process of a side (this process, the side's Chromium, the isolate
    // children) per task: unlike wall time it hardly depends on what else the machine runs.
    cpuMsPerTask: bySide((side) => med(side, 'cpuMs') / CONCURRENCY),
    memory: {
      idle: bySide((side) => ({ rssMb: idle[side].rssMb, pssMb: idle[side].pssMb })),
      peakRssMb: bySide((side) => med(side, 'rssMb')),
      peakPssMb: bySide((side) => med(side, 'pssMb')),
      peakRssPerTaskMb: bySide((side) => med(side, 'rssMb') / CONCURRENCY),
      peakPssPerTaskMb: bySide((side) => med(side, 'pssMb') / CONCURRENCY),
      addedPssPerTaskMb: bySide((side) => (med(side, 'pssMb') - idle[side].pssMb) / CONCURRENCY),
      peakProcesses: bySide((side) => Math.max(...usageOf[side].map((u) => u.processes))),
    },
    usage,
  };
}
