import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

const letters = (text: string) => text.split('').join('\n');

describe('unifiedDiff', () => {
  it('labels both sides and shows a change with three lines of context', () => {
    const diff = unifiedDiff(letters('abcdefghijklm'), letters('abcXefghijklm'), {
      fromLabel: 'k@1',
      toLabel: 'k@2',
    });
    expect(diff).toBe(
      ['--- k@1', '+++ k@2', '@@ -1,7 +1,7 @@', ' a', ' b', ' c', '-d', '+X', ' e', ' f', ' g', ''].join(
        '\n',
      ),
    );
  });

  it('cuts far-apart changes into separate hunks with their own line numbers', () => {
    const diff = unifiedDiff(letters('abcdefghijklmnop'), letters('Abcdefghijklmnop!'));
    const headers = diff.split('\n').filter((line) => line.startsWith('@@'));
    expect(headers).toEqual(['@@ -1,4 +1,4 @@', '@@ -13,4 +13,5 @@']);
    expect(diff).toContain('+!');
  });

  it('has no hunk for equal texts and honours a wider context', () => {
    expect(unifiedDiff('same\n', 'same\n')).toBe('--- before\n+++ after\n');
    const wide = unifiedDiff(letters('abcdefghij'), letters('abcdeFghij'), { context: 5 });
    expect(wide).toContain('@@ -1,10 +1,10 @@');
  });

  it('diffs two 5,000-line sources that differ a little without a quadratic table', () => {
    const before = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    const after = before.map((line, i) => (i % 500 === 0 ? `${line} changed` : line));
    const started = performance.now();
    const diff = unifiedDiff(before.join('\n'), after.join('\n'));
    expect(diff.split('\n').filter((line) => line.startsWith('+line'))).toHaveLength(10);
    // A full LCS table took seconds here; Myers on ten edits takes milliseconds.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
