import type { WebTaskResult } from '@webtasks/protocol';
import { usd, type Writer } from './progress.js';

/** What the CLI knows about a run beyond the wire result. */
export interface RunFacts {
  modelCalls: number;
  /** The bundle version that produced the output. */
  bundleVersion?: number | undefined;
  durationMs?: number;
}

/** One line saying how the reuse key was used, e.g. "reused saved code v3 — 0 model calls, $0.0000". */
export function reuseSummary(result: WebTaskResult, facts: RunFacts): string {
  const calls = `${facts.modelCalls} model call${facts.modelCalls === 1 ? '' : 's'}`;
  const spend = `${calls}, ${usd('cost' in result ? result.cost.aiUsd : 0)}`;
  const version = facts.bundleVersion ? ` v${facts.bundleVersion}` : '';
  const took = facts.durationMs !== undefined ? ` in ${(facts.durationMs / 1000).toFixed(1)}s` : '';
  const { reuse } = result;
  if (result.status !== 'completed') return `${result.status}${took}`;
  if (result.outcome === 'failed') return `failed${took}: nothing saved — ${spend}`;
  if (reuse.used && !reuse.updated) return `reused saved code${version} — ${spend}${took}`;
  if (reuse.used && reuse.updated) return `repaired the saved code and saved${version} — ${spend}${took}`;
  if (reuse.created) return `explored the site and saved${version} — ${spend}${took}`;
  return `completed — ${spend}${took}`;
}

/** Print the output of a result for people: the data as indented JSON, or the file and its preview. */
export function printResultBody(result: WebTaskResult, stdout: Writer, stderr: Writer): void {
  if (result.status !== 'completed') {
    stdout.write(`${result.webTaskId} is ${result.status} (reuse key ${result.reuse.key})\n`);
    return;
  }
  if (result.outcome === 'failed') {
    stderr.write(`error ${result.error.code}: ${result.error.message}\n`);
    return;
  }
  if (result.result.type === 'inline') {
    stdout.write(`${JSON.stringify(result.result.data, null, 2)}\n`);
    return;
  }
  const { file, preview } = result.result;
  stdout.write(
    `result file: ${file.url}\n  ${file.sizeBytes} bytes, ${file.contentType}, expires ${file.expiresAt}\n`,
  );
  if (preview) {
    stdout.write(`preview: ${preview.rowCount} rows, first ${preview.sample.length}:\n`);
    stdout.write(`${JSON.stringify(preview.sample, null, 2)}\n`);
  }
}
