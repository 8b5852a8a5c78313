// The figures, as rows of the summary table with their targets.
import { row } from './table.mjs';

const ms = (value) => `${value.toFixed(0)} ms`;
const x = (value) => `${value.toFixed(2)}×`;
const mb = (value) => `${value.toFixed(0)} MiB`;

export const TARGETS = {
  reuseRatio: 1.1,
  latencyP50Ratio: 2,
  throughputRatio: 0.8,
  bridgeExtraUs: 100,
  observeToAi: 0.5,
  observeTokens: 8000,
  overheadExtraMs: 100,
};

const VARIANT_LABELS = { concurrent: 'concurrent server', oneWorker: 'one-worker server' };

/** Why a run failed, in one line: the saved code's own error when the message carries it. */
export function failureCause(message) {
  const cause = /the saved code failed with: (.*)/.exec(message)?.[1] ?? message.split('\n')[0];
  return cause.slice(0, 140);
}

/** Figure 1 on the fixture directory or form: embedded, through the server, and CPU time. */
function reuseRows(label, figure) {
  const failed = figure.usage.failedRuns;
  return [
    row(
      `1. reuse ${label}, embedded (a/c)`,
      ms(figure.medianMs.engine),
      ms(figure.medianMs.baseline),
      x(figure.ratio.engine),
      `≤ ${TARGETS.reuseRatio}`,
      figure.ratio.engine <= TARGETS.reuseRatio && failed === 0,
    ),
    row(
      `1. reuse ${label}, server + SDK (b/c)`,
      ms(figure.medianMs.server),
      ms(figure.medianMs.baseline),
      x(figure.ratio.server),
      `≤ ${TARGETS.reuseRatio}`,
      figure.ratio.server <= TARGETS.reuseRatio && failed === 0,
    ),
    row(
      `1. reuse ${label}, CPU time per run, embedded`,
      ms(figure.medianCpuMs.engine),
      ms(figure.medianCpuMs.baseline),
      x(figure.cpuRatio.engine),
      '—',
    ),
    ...(failed > 0 ? [row(`1. reuse ${label}: failed runs`, String(failed), '—', '—', '= 0', false)] : []),
  ];
}

/** A paired reuse figure (engine against the plain script): its row, or why it has none. */
function pairedRow(label, figure) {
  const failed = figure.usage.failedRuns;
  if (figure.broken || !Number.isFinite(figure.medianMs.engine)) {
    const what = figure.broken ? `warm-up failed (${figure.broken.join(', ')})` : `${failed} runs failed`;
    return row(
      label,
      `${what}: ${failureCause(figure.usage.failures[0] ?? '')}`,
      '—',
      '—',
      `≤ ${TARGETS.reuseRatio}`,
      false,
    );
  }
  return row(
    `${label}${failed > 0 ? ` (${failed} runs failed: ${failureCause(figure.usage.failures[0])})` : ''}`,
    ms(figure.medianMs.engine),
    ms(figure.medianMs.baseline),
    x(figure.ratio.engine),
    `≤ ${TARGETS.reuseRatio}`,
    figure.ratio.engine <= TARGETS.reuseRatio && failed === 0,
  );
}

function realisticRows(figures, settings) {
  return Object.entries(figures).map(([variant, figure]) =>
    pairedRow(
      `1. reuse realistic shop, ${VARIANT_LABELS[variant]} (${settings.detailPages} pages), embedded`,
      figure,
    ),
  );
}

function filesRow(figure) {
  return pairedRow(
    `1. file batch, ${figure.files} files (${mb(figure.totalBytes / 2 ** 20)}) by URL, embedded`,
    figure,
  );
}

export function summaryRows(figures, settings) {
  const rows = [];
  const usages = [];
  if (figures.reuse) {
    rows.push(...reuseRows(`directory (${settings.detailPages} detail pages)`, figures.reuse.directory));
    rows.push(...reuseRows('three-page form', figures.reuse.form));
    usages.push(figures.reuse.directory.usage, figures.reuse.form.usage);
  }
  if (figures.realistic) rows.push(...realisticRows(figures.realistic, settings));
  if (figures.files) {
    rows.push(filesRow(figures.files));
    usages.push(figures.files.usage);
  }
  if (figures.latency) usages.push(figures.latency.usage);
  if (figures.overhead) usages.push(figures.overhead.usage);
  if (figures.throughput) usages.push(figures.throughput.usage);
  if (usages.length > 0) {
    const runs = usages.reduce((sum, u) => sum + u.reuseRuns, 0);
    const calls = usages.reduce((sum, u) => sum + u.modelCalls, 0);
    const usd = usages.reduce((sum, u) => sum + u.aiUsd, 0);
    rows.push(row(`2. model calls in ${runs} reuse runs`, String(calls), '—', '—', '= 0', calls === 0));
    rows.push(row(`2. cost.aiUsd of ${runs} reuse runs`, `$${usd}`, '—', '—', '= 0', usd === 0));
  }
  if (figures.latency) {
    const l = figures.latency;
    rows.push(
      row(
        '3. latency p50, trivial task via server',
        ms(l.server.p50),
        ms(l.baseline.p50),
        x(l.server.p50 / l.baseline.p50),
        `≤ ${TARGETS.latencyP50Ratio}`,
        l.server.p50 / l.baseline.p50 <= TARGETS.latencyP50Ratio,
      ),
      row(
        '3. latency p95, trivial task via server',
        ms(l.server.p95),
        ms(l.baseline.p95),
        x(l.server.p95 / l.baseline.p95),
        '—',
      ),
      row(
        '3. latency p50, trivial task embedded',
        ms(l.embedded.p50),
        ms(l.baseline.p50),
        x(l.embedded.p50 / l.baseline.p50),
        '—',
      ),
    );
  }
  if (figures.throughput) {
    const t = figures.throughput;
    rows.push(
      row(
        `4. throughput, 10 concurrent tasks (1 list + ${settings.throughputPages} detail pages each)`,
        `${t.tasksPerSecond.engine.toFixed(2)} tasks/s`,
        `${t.tasksPerSecond.baseline.toFixed(2)} tasks/s`,
        x(t.ratio),
        `≥ ${TARGETS.throughputRatio}`,
        t.ratio >= TARGETS.throughputRatio && t.usage.failedRuns === 0,
      ),
      ...(t.usage.failedRuns > 0
        ? [row('4. throughput: failed tasks', String(t.usage.failedRuns), '—', '—', '= 0', false)]
        : []),
      row(
        '4. CPU time per task in the concurrent batch (all processes)',
        ms(t.cpuMsPerTask.engine),
        ms(t.cpuMsPerTask.baseline),
        x(t.cpuMsPerTask.engine / t.cpuMsPerTask.baseline),
        '—',
      ),
    );
  }
  if (figures.bridge) {
    const b = figures.bridge;
    for (const [key, label] of [
      ['urlUs', 'page.url()'],
      ['countUs', 'locator.count()'],
    ]) {
      const extra = b[key].extra ?? b[key].engine - b[key].baseline;
      rows.push(
        row(
          `5. bridge cost per ${label}`,
          `${b[key].engine.toFixed(0)} µs`,
          `${b[key].baseline.toFixed(0)} µs`,
          `+${extra.toFixed(0)} µs`,
          `≤ +${TARGETS.bridgeExtraUs} µs`,
          extra <= TARGETS.bridgeExtraUs,
        ),
      );
    }
    if (b.floor) {
      rows.push(
        row(
          '5. floor: bare round trip to another process',
          `${b.floor.roundTripUs.toFixed(0)} µs`,
          '—',
          '—',
          '—',
        ),
        row(
          '5. floor: a Chromium call right after such a round trip',
          `+${b.floor.countPenaltyUs.toFixed(0)} µs`,
          '—',
          '—',
          '—',
        ),
      );
    }
  }
  if (figures.observe) {
    const o = figures.observe;
    const longest = o.pages.filter((p) => p.long).sort((a, b) => b.observeToAi - a.observeToAi)[0];
    rows.push(
      row(
        `6. observe vs AI snapshot, worst long-list page (${longest.page})`,
        `${longest.observeBytes} B`,
        `${longest.aiSnapshotBytes} B`,
        x(o.maxLongObserveToAi),
        `≤ ${TARGETS.observeToAi}`,
        o.maxLongObserveToAi <= TARGETS.observeToAi,
      ),
      row(
        `6. observe, largest page in tokens (${o.pages.length} pages)`,
        String(o.maxObserveTokens),
        `${o.maxAiSnapshotTokens} (AI snapshot)`,
        '—',
        `≤ ${TARGETS.observeTokens}`,
        o.maxObserveTokens <= TARGETS.observeTokens,
      ),
      row(
        '6. observe vs AI snapshot, all pages (total bytes)',
        `${o.totalObserveBytes} B`,
        `${o.totalAiSnapshotBytes} B`,
        x(o.totalObserveBytes / o.totalAiSnapshotBytes),
        '—',
      ),
      row('6. observe vs AI snapshot, worst short page', '—', '—', x(o.maxShortObserveToAi), '—'),
      row(
        `6. links and controls addressable (${o.byPosition} by position in a collapsed run)`,
        `${o.totalControls - o.notAddressable}/${o.totalControls}`,
        '—',
        '—',
        'all',
        o.notAddressable === 0,
      ),
    );
  }
  if (figures.overhead) {
    const o = figures.overhead;
    rows.push(
      row(
        '8. fixed per-task cost (no page work) vs a plain fresh context',
        ms(o.medianMs.engine),
        ms(o.medianMs.baseline),
        `${o.extraMs < 0 ? '−' : '+'}${Math.abs(o.extraMs).toFixed(0)} ms`,
        `≤ +${TARGETS.overheadExtraMs} ms`,
        o.extraMs <= TARGETS.overheadExtraMs,
      ),
    );
  }
  if (figures.throughput) {
    const t = figures.throughput;
    const m = t.memory;
    for (const [key, label] of [
      ['peakRssPerTaskMb', 'peak RSS per concurrent task (process + children)'],
      ['peakPssPerTaskMb', 'peak PSS per concurrent task (shared pages split)'],
      ['addedPssPerTaskMb', 'PSS added per concurrent task (peak − idle)'],
    ]) {
      rows.push(
        row(`7. ${label}`, mb(m[key].engine), mb(m[key].baseline), x(m[key].engine / m[key].baseline), '—'),
      );
    }
  }
  return rows;
}
