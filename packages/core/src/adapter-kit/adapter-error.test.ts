import { describe, expect, it } from 'vitest';
import { WebTasksError } from '../errors.js';
import { createAdapterError, wrapAdapterError } from './adapter-error.js';

describe('adapter errors', () => {
  it('prefix the message with the adapter and keep code, details and retryable', () => {
    const error = createAdapterError('lock-redis', {
      code: 'lock-timeout',
      message: 'Timed out; raise waitMs.',
      retryable: true,
      details: { name: 'a' },
    });
    expect(error).toMatchObject({ code: 'lock-timeout', retryable: true, details: { name: 'a' } });
    expect(error.message).toBe('[webtasks:lock-redis] Timed out; raise waitMs.');
  });

  it('wrap a vendor failure with what was being done and the advice', () => {
    const cause = new Error('ECONNREFUSED 127.0.0.1:6379');
    const error = wrapAdapterError('queue-bullmq', cause, {
      doing: 'enqueue wt_1',
      advice: 'check that Redis is reachable',
      retryable: true,
    });
    expect(error).toMatchObject({ code: 'storage-error', retryable: true, cause });
    expect(error.message).toBe(
      '[webtasks:queue-bullmq] Failed to enqueue wt_1: ECONNREFUSED 127.0.0.1:6379 (check that Redis is reachable)',
    );
  });

  it('pass WebTasksErrors through and turn an AbortError into aborted', () => {
    const original = new WebTasksError({ code: 'conflict', message: 'taken' });
    const options = { doing: 'save', advice: 'retry', retryable: true };
    expect(wrapAdapterError('store-fs', original, options)).toBe(original);
    const abort = Object.assign(new Error('stop'), { name: 'AbortError' });
    expect(wrapAdapterError('store-fs', abort, options)).toMatchObject({
      code: 'aborted',
      retryable: false,
      message: '[webtasks:store-fs] save was aborted',
    });
  });
});
