import { describe, expect, it } from 'vitest';
import { parseChildMessage } from './child-messages.js';

describe('parseChildMessage', () => {
  it('accepts the protocol’s messages', () => {
    expect(parseChildMessage({ type: 'call', runId: 1, callId: 2, json: '{}' })).toEqual({
      type: 'call',
      runId: 1,
      callId: 2,
      json: '{}',
    });
    expect(parseChildMessage({ type: 'log', runId: 1, level: 'warn', message: 'm' })).toMatchObject({
      level: 'warn',
    });
    expect(
      parseChildMessage({
        type: 'done',
        runId: 3,
        outcome: { ok: false, kind: 'threw', message: 'x', stack: 's' },
        cpuMs: 2,
      }),
    ).toEqual({
      type: 'done',
      runId: 3,
      outcome: { ok: false, kind: 'threw', message: 'x', stack: 's' },
      cpuMs: 2,
      heapBytes: undefined,
    });
  });

  it('drops forged and malformed messages instead of throwing', () => {
    const forged: unknown[] = [
      null,
      'done',
      42,
      [],
      { type: 'call', runId: '1', callId: 1, json: '{}' },
      { type: 'call', runId: 1, callId: 1.5, json: '{}' },
      { type: 'call', runId: 1, callId: 1, json: { kind: 'page' } },
      { type: 'log', runId: 1, level: 'fatal', message: 'x' },
      { type: 'log', runId: 1, level: 'info', message: { toString: 1 } },
      { type: 'done', runId: 1, outcome: { ok: true, json: 5 } },
      { type: 'done', runId: 1, outcome: { ok: false, kind: 'crashed', message: 'x' } },
      { type: 'done', runId: 1, outcome: { ok: false, kind: 'nonsense', message: 'x' } },
      { type: 'done', runId: 1 },
      { type: 'reply', runId: 1, callId: 1, ok: true, json: '{}' },
      { type: '__proto__' },
      JSON.parse('{"__proto__": {"type": "ready"}}'),
    ];
    for (const message of forged) expect(parseChildMessage(message), JSON.stringify(message)).toBeUndefined();
  });

  it('ignores bad numbers in stats and drops unknown message types', () => {
    const done = parseChildMessage({
      type: 'done',
      runId: 1,
      outcome: { ok: true, json: '1' },
      cpuMs: -1,
      heapBytes: 'x',
    });
    expect(done).toMatchObject({ cpuMs: undefined, heapBytes: undefined });
    expect(parseChildMessage({ type: 'fatal', message: 'x' })).toBeUndefined();
  });
});
