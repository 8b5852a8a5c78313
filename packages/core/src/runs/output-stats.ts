import type { RunOutputStats } from '@webtasks/protocol';

/** The shape of an output for the run record: type, JSON size, rows and fields, never the data. */
export function outputStatsOf(output: unknown): RunOutputStats {
  const sizeBytes = Buffer.byteLength(JSON.stringify(output) ?? 'null', 'utf8');
  if (Array.isArray(output)) {
    const first = output.find((row) => typeof row === 'object' && row !== null && !Array.isArray(row));
    return {
      type: 'array',
      sizeBytes,
      rowCount: output.length,
      ...(first ? { fields: Object.keys(first).slice(0, 100) } : {}),
    };
  }
  if (output === null) return { type: 'null', sizeBytes };
  if (typeof output === 'object')
    return { type: 'object', sizeBytes, fields: Object.keys(output).slice(0, 100) };
  return { type: typeof output, sizeBytes };
}
