/**
 * A unified diff of two texts (line based, longest common subsequence), with `context`
 * lines around each change. Enough for bundle sources of a few thousand lines.
 */
export function unifiedDiff(
  before: string,
  after: string,
  options: { fromLabel?: string; toLabel?: string; context?: number } = {},
): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const context = options.context ?? 3;
  const n = a.length;
  const m = b.length;
  // LCS lengths, computed from the end.
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    const row = lcs[i]!;
    const next = lcs[i + 1]!;
    for (let j = m - 1; j >= 0; j -= 1) {
      row[j] = a[i] === b[j] ? next[j + 1]! + 1 : Math.max(next[j]!, row[j + 1]!);
    }
  }
  type Op = { kind: ' ' | '-' | '+'; text: string; aLine: number; bLine: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i]!, aLine: i, bLine: j });
      i += 1;
      j += 1;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({ kind: '+', text: b[j]!, aLine: i, bLine: j });
      j += 1;
    } else {
      ops.push({ kind: '-', text: a[i]!, aLine: i, bLine: j });
      i += 1;
    }
  }
  const lines = [`--- ${options.fromLabel ?? 'before'}`, `+++ ${options.toLabel ?? 'after'}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.kind === ' ') {
      k += 1;
      continue;
    }
    let start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while changes are closer than 2×context apart.
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== ' ') end += 1;
      let gap = end;
      while (gap < ops.length && ops[gap]!.kind === ' ') gap += 1;
      if (gap < ops.length && gap - end <= context * 2) end = gap;
      else break;
    }
    const stop = Math.min(ops.length, end + context);
    const hunk = ops.slice(start, stop);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const first = hunk[0]!;
    lines.push(
      `@@ -${first.aLine + (aCount ? 1 : 0)},${aCount} +${first.bLine + (bCount ? 1 : 0)},${bCount} @@`,
    );
    for (const o of hunk) lines.push(`${o.kind}${o.text}`);
    k = stop;
    start = stop;
  }
  return `${lines.join('\n')}\n`;
}
