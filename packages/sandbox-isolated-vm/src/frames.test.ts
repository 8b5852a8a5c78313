import { describe, expect, it } from 'vitest';
import type { ChildMessage, ParentMessage } from './child-messages.js';
import {
  decodeChildFrame,
  decodeParentFrame,
  encodeChildMessage,
  encodeParentMessage,
  LineReader,
} from './frames.js';

/** The one line a message becomes, without its line break. */
const line = (frame: string): string => {
  expect(frame.endsWith('\n')).toBe(true);
  expect(frame.slice(0, -1)).not.toContain('\n');
  return frame.slice(0, -1);
};

describe('frames', () => {
  it('carries every message of the protocol both ways', () => {
    const fromChild: ChildMessage[] = [
      { type: 'ready' },
      { type: 'call', runId: 7, callId: 123456, json: '{"kind":"page","command":{"op":"url"}}' },
      { type: 'log', runId: 7, level: 'warn', message: 'two\nlines and "quotes"' },
      { type: 'done', runId: 7, outcome: { ok: true, json: '{"a":"b\\nc"}' }, cpuMs: 1.5, heapBytes: 10 },
      { type: 'done', runId: 8, outcome: { ok: false, kind: 'threw', message: 'x', stack: 'at y' } },
    ];
    for (const message of fromChild)
      expect(decodeChildFrame(line(encodeChildMessage(message)))).toEqual(message);
    const fromParent: ParentMessage[] = [
      { type: 'init', prelude: 'const a = 1;\nconst b = "2";' },
      {
        type: 'run',
        runId: 1,
        code: 'exports.default = () => 1;\n',
        paramsJson: '{}',
        limits: { memoryMb: 8, maxConcurrentCalls: 2, cpuTimeoutMs: 3, maxOutputBytes: 4, maxLogEntries: 5 },
      },
      { type: 'reply', runId: 1, callId: 2, ok: true, json: '"http://example.test/"' },
      { type: 'reply', runId: 1, callId: 3, ok: false, message: 'page.goto: net::ERR_FAILED\n  at line 2' },
      { type: 'reply', runId: 1, callId: 4, ok: false, message: '' },
      { type: 'cancel', runId: 1, reason: 'aborted' },
    ];
    for (const message of fromParent)
      expect(decodeParentFrame(line(encodeParentMessage(message)))).toEqual(message);
  });

  it('keeps a call whose text holds a raw line break in one frame', () => {
    // Not valid JSON (a raw line break inside a string): it stays one frame, and the host
    // still refuses what the escaping made of it if it is not JSON.
    const json = '{"kind":"page","x":"a\nb"}\n{"kind":"files.download"}';
    const decoded = decodeChildFrame(line(encodeChildMessage({ type: 'call', runId: 1, callId: 1, json })));
    expect(decoded).toEqual({
      type: 'call',
      runId: 1,
      callId: 1,
      json: '{"kind":"page","x":"a\\nb"}\\n{"kind":"files.download"}',
    });
  });

  it('drops frames a child made up', () => {
    for (const frame of [
      '',
      'x{}',
      'c',
      'c1 2',
      'c-1 2 {}',
      'c1 2.5 {}',
      'c1 99999999999999999 {}',
      'c1e3 2 {}',
      'j{not json',
    ])
      expect(decodeChildFrame(frame)).toBeUndefined();
    // A call's own JSON is not read here: the host refuses it if it is malformed.
    expect(decodeChildFrame('c1 2 not json')).toEqual({
      type: 'call',
      runId: 1,
      callId: 2,
      json: 'not json',
    });
  });
});

describe('LineReader', () => {
  const collect = (maxChars: number) => {
    const lines: string[] = [];
    let overflows = 0;
    const reader = new LineReader(
      (text) => lines.push(text),
      () => {
        overflows += 1;
      },
      maxChars,
    );
    return { reader, lines, overflows: () => overflows };
  };

  it('rebuilds lines split across chunks and several lines in one chunk', () => {
    const { reader, lines } = collect(100);
    for (const chunk of ['ab', 'c\nde', 'f\n', '\ng', 'h\ni\nj']) reader.push(chunk);
    expect(lines).toEqual(['abc', 'def', '', 'gh', 'i']);
    reader.push('\n');
    expect(lines.at(-1)).toBe('j');
  });

  it('accepts a line of the limit and gives up on a longer one, whole or in pieces', () => {
    const exact = collect(5);
    exact.reader.push('12345\n');
    expect(exact.lines).toEqual(['12345']);

    const whole = collect(5);
    whole.reader.push('123456\nnext\n');
    expect(whole.lines).toEqual([]);
    expect(whole.overflows()).toBe(1);

    // A line that never ends is refused once it holds more than the limit, not buffered on.
    const pieces = collect(5);
    pieces.reader.push('ok\n123');
    pieces.reader.push('456');
    pieces.reader.push('789\nlater\n');
    expect(pieces.lines).toEqual(['ok']);
    expect(pieces.overflows()).toBe(1);
  });
});
