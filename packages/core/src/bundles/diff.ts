import { structuredPatch } from 'diff';

/**
 * A unified diff of two texts (jsdiff's line diff, Myers' O(ND) algorithm), with `context`
 * lines around each change. Memory grows with the edit distance, not with the product of the
 * two lengths, so two large sources that differ a little cost little.
 */
export function unifiedDiff(
  before: string,
  after: string,
  options: { fromLabel?: string; toLabel?: string; context?: number } = {},
): string {
  const patch = structuredPatch('', '', before, after, undefined, undefined, {
    context: options.context ?? 3,
  });
  const lines = [`--- ${options.fromLabel ?? 'before'}`, `+++ ${options.toLabel ?? 'after'}`];
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines);
  }
  return `${lines.join('\n')}\n`;
}
