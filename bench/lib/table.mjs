// The summary table: one row per figure, printed as aligned text and as Markdown.

const COLUMNS = ['figure', 'engine', 'baseline', 'ratio', 'target', 'result'];

/** A row; `pass` undefined means informational (no target). */
export function row(figure, engine, baseline, ratio, target, pass) {
  return {
    figure,
    engine,
    baseline,
    ratio,
    target,
    result: pass === undefined ? 'info' : pass ? 'PASS' : 'FAIL',
  };
}

export function formatText(rows) {
  const widths = COLUMNS.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join('  ');
  return [
    line(COLUMNS),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(COLUMNS.map((c) => r[c]))),
  ].join('\n');
}

export function formatMarkdown(rows) {
  const escapeCell = (cell) => String(cell).replaceAll('|', '\\|');
  return [
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${COLUMNS.map((c) => escapeCell(r[c])).join(' | ')} |`),
  ].join('\n');
}
