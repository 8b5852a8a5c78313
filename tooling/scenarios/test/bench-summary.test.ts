import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The bench prints its table only after a run of up to half an hour: a summary that throws
// (a figure renamed, a helper lost) would cost that run. Every committed full-run result must
// render again to the Markdown table stored with it.
const RESULTS = new URL('../../../bench/results/', import.meta.url);

interface BenchResult {
  figures?: Record<string, unknown>;
  settings: Record<string, unknown>;
  markdown: string;
}

type Row = Record<string, unknown>;
const summary = (await import(new URL('../../../bench/lib/summary.mjs', import.meta.url).href)) as {
  summaryRows(figures: Record<string, unknown>, settings: Record<string, unknown>): Row[];
};
const table = (await import(new URL('../../../bench/lib/table.mjs', import.meta.url).href)) as {
  formatMarkdown(rows: Row[]): string;
};

const files = readdirSync(RESULTS).filter((name) => name.endsWith('.json'));

describe('bench summary', () => {
  const runs = files
    .map((name) => ({
      name,
      result: JSON.parse(readFileSync(new URL(name, RESULTS), 'utf8')) as BenchResult,
    }))
    .filter(({ result }) => result.figures !== undefined);

  it('finds committed full-run results to check', () => {
    expect(runs.length).toBeGreaterThan(3);
  });

  it.each(runs.map(({ name }) => name))('renders %s to the table stored with it', (name) => {
    const { result } = runs.find((run) => run.name === name)!;
    expect(table.formatMarkdown(summary.summaryRows(result.figures!, result.settings))).toBe(result.markdown);
  });
});
