import { describe, expect, it } from 'vitest';
import { applyRunEvent, cutMessage, emptyRunRecord, RUN_RECORD_LIMITS } from './run-record-builder.js';

const at = '2030-01-01T00:00:00.000Z';
const id = 'wt_1';

describe('run record builder', () => {
  it('cuts an oversized message on a UTF-8 boundary and says how long it was', () => {
    const message = 'é'.repeat(10_000);
    const cut = cutMessage(message, 101);
    expect(cut).toMatch(/^é+… \[cut: the line had 20000 bytes\]$/);
    expect(cut).not.toContain('\uFFFD');
    expect(cutMessage('short')).toBe('short');
  });

  it('keeps at most the last 1,000 lines and 256 KiB of logs, counting what it dropped', () => {
    const record = emptyRunRecord('ws', id, at);
    for (let index = 0; index < 1500; index += 1)
      applyRunEvent(record, { type: 'log', webTaskId: id, level: 'info', message: `line ${index}` }, at);
    expect(record.logs.lines).toHaveLength(RUN_RECORD_LIMITS.logLines);
    expect(record.logs.lines[0]?.message).toBe('line 500');
    expect(record.logs).toMatchObject({ droppedLines: 500, truncated: true });
    const big = 'x'.repeat(8000);
    for (let index = 0; index < 100; index += 1)
      applyRunEvent(record, { type: 'log', webTaskId: id, level: 'warn', message: big }, at);
    expect(record.logs.bytes).toBeLessThanOrEqual(RUN_RECORD_LIMITS.logBytes);
    expect(record.logs.bytes).toBe(record.logs.lines.reduce((sum, line) => sum + line.message.length, 0));
    expect(record.events.length).toBeLessThanOrEqual(RUN_RECORD_LIMITS.events);
    expect(record.eventsDropped + record.events.length).toBe(1600);
    expect(record.events.at(-1)?.seq).toBe(1600);
  });

  it('labels phases with versions and attempts, and files attempts under them', () => {
    const record = emptyRunRecord('ws', id, at);
    applyRunEvent(record, { type: 'phase', webTaskId: id, phase: 'loading' }, at);
    applyRunEvent(record, { type: 'phase', webTaskId: id, phase: 'running-saved', version: 4 }, at);
    applyRunEvent(
      record,
      {
        type: 'run-result',
        webTaskId: id,
        ok: false,
        message: 'drift',
        kind: 'saved',
        version: 4,
        error: { kind: 'drift', message: 'no rows' },
      },
      at,
    );
    applyRunEvent(record, { type: 'phase', webTaskId: id, phase: 'repairing' }, at);
    applyRunEvent(record, { type: 'attempt', webTaskId: id, attempt: 1, of: 3, kind: 'repair' }, at);
    applyRunEvent(record, { type: 'phase', webTaskId: id, phase: 'running-candidate' }, at);
    applyRunEvent(
      record,
      { type: 'run-result', webTaskId: id, ok: true, message: 'ok', kind: 'candidate' },
      at,
    );
    applyRunEvent(record, { type: 'saved', webTaskId: id, reuseKey: 'k', version: 5 }, at);
    expect(record.phases.map((phase) => phase.label)).toEqual([
      'loading',
      'running saved v4',
      'repairing 1/3',
      'running candidate 1/3',
    ]);
    expect(record.attempts).toEqual([
      expect.objectContaining({
        kind: 'saved',
        bundleVersion: 4,
        ok: false,
        error: { kind: 'drift', message: 'no rows' },
      }),
      expect.objectContaining({ kind: 'candidate', mode: 'repair', attempt: 1, of: 3, ok: true }),
    ]);
    expect(record).toMatchObject({ bundleVersion: 5, savedVersion: 5 });
  });
});
