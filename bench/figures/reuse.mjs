// Figures 1 and 2: one saved bundle run (a) by the embedded engine, (b) through the server
// with the SDK's long-poll, (c) as a plain Playwright script; wall time and CPU time of each
// run; model calls and AI cost of every reuse run.
import { scriptFromBundle } from '../lib/baseline.mjs';
import { DIRECTORY_SCHEMA, DIRECTORY_SOURCE, FORM_SCHEMA, FORM_SOURCE } from '../lib/bundles.mjs';
import { reuseOutput } from '../lib/engine.mjs';
import { measure } from '../lib/proc.mjs';
import { alternate, median, pairedRatio, timed, withTimeout } from '../lib/stats.mjs';
import { failureCause } from '../lib/summary.mjs';

function checkDirectory(output, limit) {
  // A large result comes back as a file with a preview (row count of the largest list).
  const count = output.file ? output.file.rowCount : output.companies?.length;
  if (count !== limit) throw new Error(`directory: ${count} companies read, expected ${limit}`);
  if (output.links !== undefined && output.links < limit)
    throw new Error(`directory: only ${output.links} links collected`);
}

/**
 * Measure one workload; `check` validates every output so no variant can win by doing less.
 * A sample is { ms, cpuMs } (CPU of this process plus the variant's child processes), or
 * { failed } when the run did not reuse the saved code successfully: failures are counted and
 * left out of the medians instead of ending the bench.
 */
export async function measureWorkload(
  ctx,
  {
    name,
    reuseKey,
    source,
    /** The plain script, when it is not the bundle source itself. */
    baselineSource,
    schema,
    params,
    check,
    warmParams,
    sides = ['engine', 'server', 'baseline'],
    sampleTimeoutMs,
  },
) {
  const { engineBench, baseline, runs, log, processes } = ctx;
  await engineBench.importBundle(reuseKey, source, schema);
  const script = await scriptFromBundle(baselineSource ?? source);
  let warming = false;
  const parameters = () => (warming && warmParams ? warmParams() : params());
  const request = () => ({ task: `bench ${name}`, reuseKey, parameters: parameters() });
  const usage = { modelCalls: 0, aiUsd: 0, reuseRuns: 0, failedRuns: 0, failures: [] };
  const callsBefore = engineBench.model.calls.length;
  const sample = async (side, run, validate) => {
    const cpuBefore = measure(processes[side](), { pss: false }).cpuMs;
    try {
      const { ms, value } = await timed(() => withTimeout(run(), sampleTimeoutMs, `${name} ${side} run`));
      if (!warming) validate(value);
      return { ms, cpuMs: measure(processes[side](), { pss: false }).cpuMs - cpuBefore };
    } catch (error) {
      usage.failedRuns += 1;
      usage.failures.push(String(error?.message ?? error).slice(0, 500));
      log(`  ${name}: a ${side} run failed: ${failureCause(String(error?.message ?? error))}`);
      return { failed: true };
    }
  };
  const viaEngine = (run) =>
    sample('engine', run, (value) => {
      usage.aiUsd += value.cost?.aiUsd ?? 0;
      usage.reuseRuns += 1;
      check(reuseOutput(value, name, engineBench.failures));
    });
  const allVariants = {
    engine: () => viaEngine(() => engineBench.runEmbedded(request())),
    server: () => viaEngine(() => engineBench.runServer(request())),
    baseline: () => sample('baseline', () => baseline.run(script, parameters()), check),
  };
  const variants = Object.fromEntries(sides.map((side) => [side, allVariants[side]]));
  // One short unmeasured run of each: the compile cache, the sandbox child and Chromium warm up.
  warming = true;
  const warm = {};
  for (const [side, variant] of Object.entries(variants)) warm[side] = await variant();
  warming = false;
  // A side whose warm-up failed (a server it cannot load, say) is reported failed, not timed.
  const broken = Object.entries(warm)
    .filter(([, x]) => x.failed)
    .map(([side]) => side);
  if (broken.length > 0) {
    usage.modelCalls = engineBench.model.calls.length - callsBefore;
    return {
      broken,
      reason: usage.failures.join('\n'),
      usage,
      ratio: {},
      medianMs: {},
      medianCpuMs: {},
      cpuRatio: {},
    };
  }
  const show = (x) => (x === undefined ? '—' : x.failed ? 'failed' : `${x.ms.toFixed(0)} ms`);
  const { samples, perRound } = await alternate(variants, runs, (round, row) =>
    log(
      `  ${name} round ${round + 1}/${runs}: ${sides.map((side) => `${side === 'baseline' ? 'playwright' : side} ${show(row[side])}`).join(', ')}`,
    ),
  );
  usage.modelCalls = engineBench.model.calls.length - callsBefore;
  const ok = (side) => (samples[side] ?? []).filter((x) => !x.failed);
  const med = (side, field) => median(ok(side).map((x) => x[field]));
  const paired = (side, field) =>
    pairedRatio(
      perRound.filter((row) => row[side] && !row[side].failed && !row.baseline.failed),
      side,
      'baseline',
      (x) => x[field],
    );
  return {
    samples,
    medianMs: { engine: med('engine', 'ms'), server: med('server', 'ms'), baseline: med('baseline', 'ms') },
    medianCpuMs: {
      engine: med('engine', 'cpuMs'),
      server: med('server', 'cpuMs'),
      baseline: med('baseline', 'cpuMs'),
    },
    ratio: { engine: paired('engine', 'ms'), server: paired('server', 'ms') },
    cpuRatio: { engine: paired('engine', 'cpuMs'), server: paired('server', 'cpuMs') },
    usage,
  };
}

export async function reuseFigures(ctx) {
  const { sites, detailPages } = ctx;
  const directory = await measureWorkload(ctx, {
    name: 'directory',
    reuseKey: 'bench-directory',
    source: DIRECTORY_SOURCE,
    schema: DIRECTORY_SCHEMA,
    params: () => ({ startUrl: `${sites.baseUrl}/directory`, limit: detailPages }),
    warmParams: () => ({ startUrl: `${sites.baseUrl}/directory`, listPages: 1, limit: 3 }),
    check: (output) => checkDirectory(output, detailPages),
  });
  let applicant = 0;
  const form = await measureWorkload(ctx, {
    name: 'form',
    reuseKey: 'bench-form',
    source: FORM_SOURCE,
    schema: FORM_SCHEMA,
    params: () => {
      applicant += 1;
      return {
        startUrl: `${sites.baseUrl}/form`,
        fullName: `Bench Applicant ${applicant}`,
        email: `bench-${applicant}@example.test`,
        companyName: 'Analytical Engines',
        role: 'Founder',
      };
    },
    check: (output) => {
      if (typeof output.confirmationNumber !== 'string' || output.confirmationNumber.length < 4)
        throw new Error(`form: no confirmation number in ${JSON.stringify(output)}`);
    },
  });
  return { directory, form };
}
