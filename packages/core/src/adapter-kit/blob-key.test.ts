import { describe, expect, it } from 'vitest';
import { assertBlobKey } from './blob-key.js';

describe('assertBlobKey', () => {
  it('accepts workspace-scoped paths', () => {
    expect(() => assertBlobKey('ws_1/results/wt_1.json', { adapter: 'memory' })).not.toThrow();
    expect(() => assertBlobKey('ws/ünïcode name.csv', { adapter: 'memory' })).not.toThrow();
  });

  it.each(['', '../x', 'ws/../../x', '/abs', 'a//b', 'a/', 'a/./b', 'a\\b', 'a\0b', 42])(
    'rejects %j with invalid-request naming the adapter',
    (key) => {
      expect(() => assertBlobKey(key, { adapter: 'store-s3' })).toThrowError(
        expect.objectContaining({
          code: 'invalid-request',
          message: expect.stringMatching(/^\[webtasks:store-s3\] Invalid blob key/),
        }),
      );
    },
  );

  it('counts UTF-8 bytes of the prefixed key against the 1,024-byte limit', () => {
    const key = `ws/${'é'.repeat(509)}`; // 3 + 1,018 bytes
    expect(() => assertBlobKey(key, { adapter: 'store-s3' })).not.toThrow();
    expect(() => assertBlobKey(key, { adapter: 'store-s3', prefix: 'results/' })).toThrowError(/1024 bytes/);
  });
});
