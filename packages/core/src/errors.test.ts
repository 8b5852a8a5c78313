import { TASK_ERROR_CODES } from '@webtasks/protocol';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode, isFatalError, toWebTasksError, WebTasksError } from './errors.js';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

describe('the error policy (ERROR_CODES)', () => {
  it('maps every code to a task error code of the wire protocol', () => {
    for (const code of codes) expect(TASK_ERROR_CODES).toContain(ERROR_CODES[code].task);
  });

  it('makes exactly the errors no model turn can fix fatal', () => {
    expect(codes.filter((code) => ERROR_CODES[code].fatal).sort()).toEqual([
      'aborted',
      // A run canceled by its caller ends at once, wherever the abort reaches it.
      'canceled',
      'invalid-config',
      'model-auth',
      'model-not-configured',
      'no-ai-credits-left',
      'proxy-error',
    ]);
    expect(isFatalError(new WebTasksError({ code: 'invalid-config', message: 'no Chromium' }))).toBe(true);
    expect(isFatalError(new WebTasksError({ code: 'proxy-error', message: 'proxy refused' }))).toBe(true);
    expect(isFatalError(new WebTasksError({ code: 'page-error', message: 'no such element' }))).toBe(false);
    expect(isFatalError(new Error('plain'))).toBe(false);
    expect(isFatalError(toWebTasksError(new Error('plain')))).toBe(false);
  });

  it('gives an error the retryable default of its code unless it says otherwise', () => {
    expect(new WebTasksError({ code: 'model-unavailable', message: 'm' }).retryable).toBe(true);
    expect(new WebTasksError({ code: 'storage-error', message: 'm' }).retryable).toBe(true);
    expect(new WebTasksError({ code: 'storage-error', message: 'm', retryable: false }).retryable).toBe(
      false,
    );
    expect(new WebTasksError({ code: 'invalid-request', message: 'm' }).retryable).toBe(false);
    expect(new WebTasksError({ code: 'model-auth', message: 'm' }).taskErrorCode).toBe('unauthenticated');
  });
});
