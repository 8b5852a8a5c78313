// The parts of a run page built from its finished record: summary, output, timeline and
// attempts, screenshots, model calls, agent steps and logs (`run-page.ts` lays them out and
// follows the live events).
import type { RunArtifact, RunRecord, WebTaskResult } from '@webtasks/protocol';
import {
  between,
  formatBytes,
  formatClock,
  formatDuration,
  formatUsd,
  h,
  notice,
  statusBadge,
} from './dom.js';

const PREVIEW_CHARS = 20_000;
const ARTIFACT_LABELS: Record<RunArtifact['kind'], string> = {
  screenshot: 'Screenshot',
  html: 'Page HTML',
  trace: 'Trace',
};

function artifactLink(artifact: RunArtifact, label: string): HTMLElement {
  return artifact.url
    ? h('a', { href: artifact.url, target: '_blank', rel: 'noopener' }, label)
    : h('span', { class: 'muted' }, `${label} (no URL)`);
}

export function timeline(record: RunRecord): HTMLElement {
  if (record.phases.length === 0) return h('p', { class: 'empty' }, 'No phase recorded yet.');
  const start = record.phases[0]?.at;
  return h(
    'ol',
    { class: 'timeline' },
    record.phases.map((phase, index) => {
      const next = record.phases[index + 1]?.at ?? (record.finished ? record.updatedAt : undefined);
      return h(
        'li',
        null,
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        h('strong', null, phase.label),
        h(
          'span',
          { class: 'muted' },
          ` · ${formatClock(phase.at)} (+${formatDuration(between(start, phase.at))})`,
          next ? ` · took ${formatDuration(between(phase.at, next))}` : '',
        ),
      );
    }),
  );
}

export function attempts(record: RunRecord): HTMLElement {
  if (record.attempts.length === 0) return h('p', { class: 'empty' }, 'No code has run yet.');
  const byKey = new Map(record.artifacts.map((artifact) => [artifact.key, artifact]));
  return h(
    'ul',
    { class: 'attempts' },
    record.attempts.map((attempt) => {
      const title =
        attempt.kind === 'saved'
          ? `Saved code v${attempt.bundleVersion ?? '?'}`
          : `${attempt.mode === 'repair' ? 'Repair' : 'Exploration'} candidate${attempt.attempt ? ` ${attempt.attempt}/${attempt.of ?? '?'}` : ''}`;
      const shots = [...new Set(attempt.artifactKeys ?? [])]
        .map((key) => byKey.get(key))
        .filter((a) => a !== undefined);
      return h(
        'li',
        { class: attempt.ok ? 'ok' : 'failed' },
        h(
          'div',
          null,
          h(
            'span',
            { class: `badge badge-${attempt.ok ? 'success' : 'failed'}` },
            attempt.ok ? 'ok' : 'failed',
          ),
          ' ',
          h('strong', null, title),
          h('span', { class: 'muted' }, ` · ${formatClock(attempt.at)}`),
        ),
        attempt.error
          ? h('pre', { class: 'error-text' }, `${attempt.error.kind}: ${attempt.error.message}`)
          : null,
        attempt.evidence?.pageUrl
          ? h('div', { class: 'muted' }, 'Page: ', h('code', null, attempt.evidence.pageUrl))
          : null,
        shots.length > 0
          ? h(
              'div',
              { class: 'links' },
              shots.map((shot) => artifactLink(shot, ARTIFACT_LABELS[shot.kind])),
            )
          : null,
      );
    }),
  );
}

function table(
  label: string,
  columns: string[],
  rows: (string | Node)[][],
  numeric: string[] = [],
): HTMLElement {
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { class: 'table compact', 'aria-label': label },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          columns.map((name) =>
            h('th', { scope: 'col', class: numeric.includes(name) ? 'num' : undefined }, name),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((row) =>
          h(
            'tr',
            null,
            row.map((cell, index) =>
              h('td', { class: numeric.includes(columns[index] ?? '') ? 'num' : undefined }, cell),
            ),
          ),
        ),
      ),
    ),
  );
}

export function modelCalls(record: RunRecord): HTMLElement[] {
  const calls = record.modelCalls;
  if (calls.length === 0)
    return [
      h(
        'p',
        { class: 'empty' },
        record.finished ? 'No model call: the run used saved code only.' : 'No model call yet.',
      ),
    ];
  const sum = (pick: (call: (typeof calls)[number]) => number) =>
    calls.reduce((total, call) => total + pick(call), 0);
  const numeric = ['In', 'Out', 'Cache read', 'Cache write', 'Cost', 'Duration'];
  return [
    h(
      'p',
      { class: 'totals' },
      h('strong', null, formatUsd(sum((call) => call.usd))),
      ` over ${calls.length} call${calls.length === 1 ? '' : 's'} · ${sum((call) => call.inputTokens).toLocaleString()} tokens in, ${sum((call) => call.outputTokens).toLocaleString()} out`,
    ),
    table(
      'Model calls',
      ['Time', 'Model', 'In', 'Out', 'Cache read', 'Cache write', 'Cost', 'Duration', 'Stop'],
      calls.map((call) => [
        formatClock(call.at),
        h('code', null, call.modelId),
        call.inputTokens.toLocaleString(),
        call.outputTokens.toLocaleString(),
        call.cacheReadTokens.toLocaleString(),
        call.cacheWriteTokens.toLocaleString(),
        formatUsd(call.usd),
        formatDuration(call.durationMs),
        call.stopReason,
      ]),
      numeric,
    ),
  ];
}

export function agentSteps(record: RunRecord): HTMLElement {
  if (record.agentSteps.length === 0) return h('p', { class: 'empty' }, 'No agent step.');
  return table(
    'Agent steps',
    ['Turn', 'Tool', 'Input', 'Result'],
    record.agentSteps.map((step) => [
      String(step.turn),
      h('code', null, step.tool),
      step.input,
      h('span', { class: step.isError ? 'error-text' : undefined }, step.result),
    ]),
  );
}

export function logs(record: RunRecord): HTMLElement[] {
  const { lines, droppedLines, truncated } = record.logs;
  if (lines.length === 0) return [h('p', { class: 'empty' }, 'No log line.')];
  return [
    truncated
      ? notice(
          'info',
          `${droppedLines.toLocaleString()} earlier line(s) were cut to keep the record bounded.`,
        )
      : h('span'),
    h(
      'pre',
      { class: 'logs', tabindex: '0', 'aria-label': 'Log lines' },
      lines.map((line) =>
        h(
          'div',
          { class: `log log-${line.level}` },
          h('span', { class: 'muted' }, formatClock(line.at)),
          ` ${line.level.padEnd(5)} ${line.message}`,
        ),
      ),
    ),
  ];
}

export function outputPreview(result: WebTaskResult, record: RunRecord): HTMLElement[] {
  const stats = record.output
    ? h(
        'p',
        { class: 'muted' },
        `${record.output.type} · ${formatBytes(record.output.sizeBytes)}`,
        record.output.rowCount === undefined ? '' : ` · ${record.output.rowCount} rows`,
        record.output.fields ? ` · fields: ${record.output.fields.join(', ')}` : '',
      )
    : null;
  if (result.status !== 'completed')
    return [h('p', { class: 'empty' }, 'The output appears when the run completes.')];
  if (result.outcome === 'failed') {
    return [
      h('pre', { class: 'error-text' }, `${result.error.code}: ${result.error.message}`),
      ...(result.error.causes ?? []).map((cause) =>
        h('pre', { class: 'error-text muted' }, `${cause.stage} · ${cause.code}: ${cause.message}`),
      ),
    ];
  }
  const payload = result.result;
  if (payload.type === 'file') {
    return [
      stats ?? h('span'),
      h(
        'p',
        null,
        h(
          'a',
          { href: payload.file.url, target: '_blank', rel: 'noopener' },
          `Download output (${payload.file.contentType}, ${formatBytes(payload.file.sizeBytes)})`,
        ),
      ),
      payload.preview
        ? h('pre', { class: 'json' }, JSON.stringify(payload.preview.sample, null, 2).slice(0, PREVIEW_CHARS))
        : h('span'),
    ];
  }
  const text = JSON.stringify(payload.data, null, 2) ?? 'undefined';
  return [
    stats ?? h('span'),
    h(
      'pre',
      { class: 'json', tabindex: '0', 'aria-label': 'Output' },
      text.length > PREVIEW_CHARS
        ? `${text.slice(0, PREVIEW_CHARS)}\n… (${formatBytes(text.length)} in all)`
        : text,
    ),
  ];
}

export function screenshots(record: RunRecord): HTMLElement {
  const shots = record.artifacts.filter((artifact) => artifact.kind === 'screenshot' && artifact.url);
  if (shots.length === 0)
    return h('p', { class: 'empty' }, 'No screenshot: they are taken when code fails on a page.');
  return h(
    'div',
    { class: 'shots' },
    shots.map((shot, index) =>
      h(
        'a',
        { href: shot.url, target: '_blank', rel: 'noopener', class: 'shot' },
        h('img', { src: shot.url, alt: `Screenshot ${index + 1} of the page at a failure`, loading: 'lazy' }),
        h('span', { class: 'muted' }, `Screenshot ${index + 1} · ${formatBytes(shot.sizeBytes)}`),
      ),
    ),
  );
}

export function summary(result: WebTaskResult, record: RunRecord): HTMLElement {
  const cost = result.status === 'completed' ? result.cost : undefined;
  const item = (term: string, value: string | Node) =>
    h('div', null, h('dt', null, term), h('dd', null, value));
  return h(
    'dl',
    { class: 'facts' },
    item('Status', statusBadge(result.status, result.status === 'completed' ? result.outcome : undefined)),
    item(
      'Reuse key',
      h('a', { href: `#/bundles/${encodeURIComponent(result.reuse.key)}` }, result.reuse.key),
    ),
    item('Version ran', record.bundleVersion === undefined ? '—' : `v${record.bundleVersion}`),
    item('Saved', record.savedVersion === undefined ? '—' : `v${record.savedVersion}`),
    item('AI cost', formatUsd(cost?.aiUsd)),
    item('Compute', cost ? `${(cost.compute.amount * 3600).toFixed(1)} s` : '—'),
  );
}
