import type { BundleSummary, CodeCompiler } from '@webtasks/core';

/** The ts-morph compiler, loaded only by the subcommands that compile (import, export). */
export const lazyCompiler: CodeCompiler = {
  specificationVersion: 'v1',
  async compile(options) {
    const { createTsMorphCompiler } = await import('@webtasks/codegen-ts');
    return createTsMorphCompiler().compile(options);
  },
};

/** Versions as an aligned text table (with the reuse key column for listings). */
export function summaryTable(summaries: BundleSummary[], withKey: boolean): string {
  const head = [...(withKey ? ['REUSE KEY'] : []), 'VERSION', 'ORIGIN', 'FROM', 'CREATED', 'WEB TASK'];
  const rows = [
    head,
    ...summaries.map((s) => [
      ...(withKey ? [s.reuseKey] : []),
      `v${s.version}`,
      s.origin,
      s.parentVersion ? `v${s.parentVersion}` : '-',
      s.createdAt,
      s.webTaskId ?? '-',
    ]),
  ];
  const widths = head.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return `${rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
